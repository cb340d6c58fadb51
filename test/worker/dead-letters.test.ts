// The dead-letter consumer: a processed task whose email kept failing is not retried for ever.
import t from 'tap';
import { createSes } from '../../src/mail/ses.ts';
import { failDeadLetter } from '../../src/worker/dead-letters.ts';
import { processTask } from '../../src/worker/process-task.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { testConfig } from '../helpers/env.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { emailsTo } from '../helpers/mail.ts';
import { workerDeps } from '../helpers/worker.ts';

t.test('email failing for good: the dead letter gives it up with the reason on the task, and returns', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const [deadPort] = (await freePorts(1)) as [number];
  deps.ses = createSes(testConfig({ AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${deadPort}` }));
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'a.wav', [['newFormat', 'mp3']]);
  const message = { taskId: id, version: 1 };

  await t.rejects(processTask(deps, message, new AbortController().signal), 'the email failure is left for redelivery');
  t.match(await deps.db.task.findUnique({ where: { id } }), { status: 'processed', notifiedAt: null, notificationError: null });

  await failDeadLetter(deps, message); // resolves: the dead-letter message is deleted, not retried
  const task = await deps.db.task.findUniqueOrThrow({ where: { id } });
  t.equal(task.status, 'processed', 'the conversion result stands');
  t.match(task.notificationError, /^the email could not be sent after several attempts: .+/);
  t.equal(task.notifiedAt, null);
  t.same(await emailsTo(`${user.username}@example.com`), []);
});

t.test('a dead letter whose email can be sent: the task fails and the owner is told once', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'b.wav', [['newFormat', 'mp3']]);
  await failDeadLetter(deps, { taskId: id, version: 1 });
  await failDeadLetter(deps, { taskId: id, version: 1 });
  t.match(await deps.db.task.findUnique({ where: { id } }), { status: 'failed', notificationError: null, notifiedAt: Date });
  t.equal((await emailsTo(`${user.username}@example.com`)).length, 1);
});

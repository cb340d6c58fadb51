// The real worker process against queues of the test's own: a stop mid-conversion, and the dead-letter path.
import { spawn, type ChildProcess } from 'node:child_process';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import t, { type Test } from 'tap';
import { DEAD_LETTER_REASON } from '../../src/worker/dead-letters.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { freePorts } from '../../src/dev/ports.ts';
import type { Resources } from '../../src/dev/services.ts';
import { emailsTo } from '../helpers/mail.ts';
import { testQueues, waitFor, workerDeps } from '../helpers/worker.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

async function startWorker(t: { teardown: (fn: () => unknown) => void }, env: Record<string, string>) {
  const [port] = (await freePorts(1)) as [number];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, WORKER_PORT: String(port), WORKER_CONCURRENCY: '1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t.teardown(() => child.exitCode === null && child.kill('SIGKILL'));
  await waitFor('worker health', () => fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false), 90_000);
  return { child, port };
}

/** Only the queues are the test's own; the bucket stays the run's. */
const queueEnv = ({ SQS_QUEUE_URL, SQS_DLQ_URL }: Resources) => ({ SQS_QUEUE_URL, SQS_DLQ_URL });

const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

/** A 300 s wav → aac task on queues of the test's own, and a worker converting it. */
async function longConversion(t: Test, fileName: string, workerEnv: Record<string, string>) {
  const queues = await testQueues();
  const app = await build(t, queueEnv(queues));
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 300), fileName, [['newFormat', 'aac']]);
  const worker = await startWorker(t, { ...queueEnv(queues), ...workerEnv });
  await waitFor('the conversion to start', async () => (await deps.db.task.findUnique({ where: { id } }))?.status === 'processing');
  return { queues, deps, user, id, worker };
}

t.test('SIGTERM during a long conversion releases the message; a second worker finishes it', async (t) => {
  const { queues, deps, user, id, worker: first } = await longConversion(t, 'long.wav', { WORKER_DRAIN_SECONDS: '0' });
  const stopped = Date.now();
  first.child.kill('SIGTERM');
  t.equal(await exitOf(first.child), 0, 'exits 0');
  t.ok(Date.now() - stopped < 10_000, 'ffmpeg was killed rather than awaited');
  t.match(await deps.db.task.findUnique({ where: { id } }), { status: 'uploaded', progress: 0 }, 'the task waits again');

  await startWorker(t, queueEnv(queues));
  const done = await waitFor('the second worker to finish', async () => {
    const task = await deps.db.task.findUnique({ where: { id } });
    return task?.status === 'processed' ? task : null;
  }, 60_000);
  t.equal(done.version, 1);
  const mails = await waitFor('the email', async () => {
    const found = await emailsTo(`${user.username}@example.com`);
    return found.length ? found : null;
  });
  t.equal(mails.length, 1, 'one email');
  t.match(mails[0], { subject: 'long.wav is ready as AAC' });
});

t.test('a task that keeps failing goes to the dead-letter queue and ends failed', async (t) => {
  const queues = await testQueues(2);
  const app = await build(t, { SQS_QUEUE_URL: queues.SQS_QUEUE_URL, SQS_DLQ_URL: queues.SQS_DLQ_URL });
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'lost.wav', [['newFormat', 'mp3']]);
  // The original vanishes from S3: every attempt fails the way an outage would.
  const task = await deps.db.task.findUniqueOrThrow({ where: { id } });
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.config.S3_BUCKET, Key: task.inputKey }));

  await startWorker(t, { ...queueEnv(queues), WORKER_RETRY_DELAY_SECONDS: '1' });
  const failed = await waitFor('the dead-letter queue to fail the task', async () => {
    const current = await deps.db.task.findUnique({ where: { id } });
    return current?.status === 'failed' ? current : null;
  }, 60_000);
  t.equal(failed.statusReason, DEAD_LETTER_REASON);
  const mails = await waitFor('the failure email', async () => {
    const found = await emailsTo(`${user.username}@example.com`);
    return found.length ? found : null;
  });
  t.equal(mails.length, 1);
  t.match(mails[0], { subject: 'lost.wav could not be converted' });
});

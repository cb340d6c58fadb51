// Scenario 4: SQS stopped, then S3, then both, each restarted, during uploads and reads.
// With SQS down an upload is still accepted and its task sent later by the sweeper; with
// S3 down an upload answers 503 and leaves nothing behind (no task, and no object once the
// sweeper ran); every accepted task is converted once and announced once; never a 500.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { audioBytes } from '../helpers/audio.ts';
import { waitFor } from '../helpers/worker.ts';
import { ApiClient } from './client.ts';
import { emailSpread, reportFigures } from './figures.ts';
import { startFaultStack, unreferencedObjects } from './harness.ts';

const OUTAGE_MS = 8000;

t.test('S3 and SQS stopped and restarted: 503 and nothing behind, the sweeper sends what was not queued', async (t) => {
  const stack = await startFaultStack(t, {
    maxReceiveCount: 20, // conversions retry through the outages instead of dead-lettering
    env: { UNSENT_GRACE_SECONDS: '3', ORPHAN_GRACE_SECONDS: '10' },
  });
  const client = new ApiClient(stack.webs[0]!.url);
  await client.signUpAndLogIn();
  await stack.startWorker();
  const mp3 = await audioBytes('mp3', 3);

  type Phase = 'normal' | 'sqs down' | 's3 down' | 'both down' | 'across a stop or start';
  let phase: Phase = 'normal';
  const accepted: Array<{ id: number; phase: Phase }> = [];
  const uploads = new Map<string, number>(); // "phase status" → count
  const statuses = new Map<number, number>();
  let running = true;
  const load = (async () => {
    for (let i = 0; running; i++) {
      const started = phase;
      const isUpload = i % 2 === 0;
      const response = await (isUpload ? client.upload(mp3, `s4-${i}.mp3`, 'ogg') : client.request('/api/tasks?max=5')).catch(() => null);
      const status = response?.status ?? 0; // 0: no answer at all
      // A request that began before a restart may succeed after it (the SDK retries): it belongs to no one phase.
      const during = started === phase ? started : 'across a stop or start';
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (isUpload) uploads.set(`${during} ${status}`, (uploads.get(`${during} ${status}`) ?? 0) + 1);
      if (status === 201) accepted.push({ id: ((await response!.json()) as { id: number }).id, phase: during });
      else await response?.arrayBuffer();
      await sleep(100);
    }
  })();

  const outage = async (name: Phase, proxies: Array<typeof stack.s3>) => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    phase = name;
    await sleep(OUTAGE_MS);
    phase = 'normal';
    await Promise.all(proxies.map((proxy) => proxy.start()));
    await sleep(2000);
  };
  await sleep(3000);
  await outage('sqs down', [stack.sqs]);
  await outage('s3 down', [stack.s3]);
  await outage('both down', [stack.s3, stack.sqs]);
  const restoredAt = Date.now() - 2000;
  running = false;
  await load;

  const ids = accepted.map((a) => a.id);
  const finals = await waitFor('every accepted task final', async () => {
    const tasks = await stack.db.task.findMany({ where: { id: { in: ids } } });
    return tasks.length === ids.length && tasks.every((task) => task.status === 'processed' || task.status === 'failed') ? tasks : null;
  }, 180_000).catch(() => stack.db.task.findMany({ where: { id: { in: ids } } }));
  const orphans = await waitFor('the sweeper to remove what failed uploads left', async () => {
    const left = await unreferencedObjects(stack);
    return left.length === 0 ? left : null;
  }, 60_000).catch(() => unreferencedObjects(stack));
  const recoveredAt = Date.now();
  const userTasks = await stack.db.task.count({ where: { user: { username: client.username } } });
  await sleep(2000); // a late duplicate email would arrive now
  const emails = await stack.emails();
  const perTask = finals.map((task) => emails.filter((e) => e.subject.startsWith(`${task.fileName} `)).length);
  const sentBySweeper = accepted.filter((a) => a.phase === 'sqs down').length;

  reportFigures(t, {
    scenario: `4 SQS, then S3, then both stopped ${OUTAGE_MS / 1000} s each`,
    submitted: accepted.length,
    processed: finals.filter((task) => task.status === 'processed').length,
    failedWithReason: finals.filter((task) => task.status === 'failed' && task.statusReason).length,
    lost: accepted.length - finals.filter((task) => task.status === 'processed').length,
    emailsPerTask: emailSpread(perTask),
    http5xx: client.http5xx,
    recoverSeconds: (recoveredAt - restoredAt) / 1000,
    notes: `uploads ${[...uploads].map(([k, n]) => `${k}×${n}`).join(', ')}; ${sentBySweeper} accepted while SQS was down, sent by the sweeper; ${orphans.length} objects left; answers ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}`,
  });
  t.equal(statuses.get(500) ?? 0, 0, 'no 500');
  t.equal(statuses.get(0) ?? 0, 0, 'every request got an answer');
  t.same([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s)), [], 'only 200, 201 and 503');
  t.ok((uploads.get('s3 down 503') ?? 0) > 0 && (uploads.get('both down 503') ?? 0) > 0, 'uploads answered 503 while S3 was down');
  t.equal((uploads.get('s3 down 201') ?? 0) + (uploads.get('both down 201') ?? 0), 0, 'no upload accepted while S3 was down');
  t.ok(sentBySweeper > 0, 'uploads were accepted while SQS was down');
  t.equal(userTasks, accepted.length, 'no task but the accepted ones: a 503 left none');
  t.same(orphans, [], 'no object without a task once the sweeper ran');
  t.ok(finals.length === ids.length && finals.every((task) => task.status === 'processed'), 'every accepted task converted, those the queue missed too');
  t.same(perTask.filter((n) => n !== 1), [], 'one email per task: no duplicate conversion');
  t.ok(finals.every((task) => task.outputKey?.endsWith('converted.v1.ogg')), 'one result per task');
  if (statuses.get(500) || !finals.every((task) => task.status === 'processed')) t.comment(stack.logTail());
});

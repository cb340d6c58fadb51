// Scenario 1: workers SIGKILLed mid-conversion, again and again, a new worker started after
// each (as an autoscaling group would). Nothing may be lost, converted twice to the user,
// emailed twice, left in S3 unreferenced, or left `processing` past the visibility timeout.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { audioBytes } from '../helpers/audio.ts';
import { waitFor } from '../helpers/worker.ts';
import { ApiClient } from './client.ts';
import { emailSpread, reportFigures } from './figures.ts';
import { startFaultStack, unreferencedObjects } from './harness.ts';

const TASKS = 30;
const KILLS = 5;
const VISIBILITY_SECONDS = 5;

t.test('SIGKILLed workers lose nothing and email once', async (t) => {
  const stack = await startFaultStack(t, { visibilityTimeoutSeconds: VISIBILITY_SECONDS });
  const client = new ApiClient(stack.webs[0]!.url);
  await client.signUpAndLogIn();
  const mp3 = await audioBytes('mp3', 60); // ~1 MB, a second or more of ffmpeg: long enough to be killed in the middle
  const ids: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    const response = await client.upload(mp3, `song-${i}.mp3`, i % 2 ? 'aac' : 'ogg');
    t.equal(response.status, 201);
    ids.push(((await response.json()) as { id: number }).id);
  }

  let worker = await stack.startWorker();
  let kills = 0;
  let lastKill = Date.now();
  while (kills < KILLS) {
    // Kill only while a conversion is running.
    await waitFor('a conversion in progress', async () => (await stack.db.task.count({ where: { id: { in: ids }, status: 'processing' } })) > 0, 60_000);
    await sleep(300 + Math.random() * 500);
    worker.process.kill('SIGKILL');
    kills += 1;
    lastKill = Date.now();
    t.comment(`kill ${kills} at ${new Date().toISOString()}`);
    worker = await stack.startWorker();
  }

  const finished = await waitFor('every task final', async () => {
    const open = await stack.db.task.count({ where: { id: { in: ids }, status: { in: ['uploaded', 'processing'] } } });
    return open === 0 ? Date.now() : null;
  }, 180_000).catch(() => null);
  const recoverSeconds = ((finished ?? Date.now()) - lastKill) / 1000;
  const tasks = await stack.db.task.findMany({ where: { id: { in: ids } } });
  const processed = tasks.filter((task) => task.status === 'processed').length;
  const failed = tasks.filter((task) => task.status === 'failed' && task.statusReason).length;
  await waitFor('the emails', async () => (await stack.emails()).length >= processed + failed, 20_000).catch(() => null);
  await sleep(1000); // a late duplicate would arrive now
  const emails = await stack.emails();
  const perTask = tasks.map((task) => emails.filter((e) => e.subject.startsWith(`${task.fileName} `)).length);
  const orphans = await unreferencedObjects(stack);

  reportFigures(t, {
    scenario: `1 worker SIGKILLed ×${kills} (${TASKS} tasks)`,
    submitted: TASKS,
    processed,
    failedWithReason: failed,
    lost: TASKS - processed - failed,
    emailsPerTask: emailSpread(perTask),
    http5xx: client.http5xx,
    recoverSeconds,
    notes: `${orphans.length} unreferenced S3 objects; visibility timeout ${VISIBILITY_SECONDS} s`,
  });
  t.equal(kills, KILLS, `${KILLS} kills mid-conversion`);
  t.equal(processed, TASKS, 'every task processed');
  t.same(perTask.filter((n) => n !== 1), [], 'exactly one email per task');
  t.same(orphans, [], 'no S3 object without a task');
  t.ok(tasks.every((task) => task.outputKey === `users/${task.userId}/tasks/${task.id}/converted.v1.${task.targetFormat}`), 'one result per task, of its only version');
  t.equal(client.http5xx, 0);
  if (!finished) t.comment(stack.logTail());
});

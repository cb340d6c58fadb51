// Each transition of src/tasks against the run's PostgreSQL, and the races between them.
import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { findUnsent } from '../../src/tasks/queries.ts';
import {
  claimNotification,
  claimTask,
  createTask,
  createTaskFromUpload,
  deleteTask,
  failTask,
  finishTask,
  markEnqueued,
  recordProgress,
  releaseNotification,
  releaseTask,
  reserveTaskId,
  resetTask,
} from '../../src/tasks/transitions.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freshDatabase } from '../helpers/env.ts';

// A database of this file's own: its unsent tasks must not reach other files' sweeper tests.
const url = await freshDatabase(t);
await migrate(url);
const db = createDatabase(url);
t.teardown(() => db.$disconnect());

const result = { outputKey: 'out.v1.mp3', outputBytes: 1234, durationSeconds: 5 };
const RETENTION_DAYS = 7;

async function newTask() {
  const username = `tr_${randomBytes(5).toString('hex')}`;
  const user = await db.user.create({ data: { username, email: `${username}@example.com`, passwordHash: 'x' } });
  const id = await reserveTaskId(db);
  const task = await createTask(db, { id, userId: user.id, fileName: 'a.wav', sourceFormat: 'wav', targetFormat: 'mp3', options: { bitrate: 128 }, inputKey: 'in.wav', inputBytes: 10 });
  return { task, userId: user.id, ref: { taskId: id, version: 1 } };
}

const statusOf = async (id: number) => (await db.task.findUnique({ where: { id } }))?.status;

t.test('create: uploaded, with the reserved id and the options', async (t) => {
  const { task, ref } = await newTask();
  t.match(task, { id: ref.taskId, status: 'uploaded', version: 1, options: { bitrate: 128 }, inputBytes: 10n, enqueuedAt: null });
  t.ok((await reserveTaskId(db)) > ref.taskId, 'ids come from the sequence');
});

t.test('the task SQL makes returns (src/tasks/insert-sql.ts) is the row as Prisma reads it, webhook and upload claim included', async (t) => {
  // In a time zone other than UTC, so that a timestamp written or read as local time would show.
  const zone = process.env.TZ;
  process.env.TZ = 'America/New_York';
  t.teardown(() => void (zone === undefined ? delete process.env.TZ : (process.env.TZ = zone)));
  t.equal(new Date(2026, 0, 1).getTimezoneOffset(), 300, 'the zone applies');
  const { userId } = await newTask();
  const webhook = { url: 'https://hooks.example.com/x', secret: 'whsec_test' };
  const made = await createTask(db, { userId, fileName: 'b.flac', sourceFormat: 'flac', targetFormat: 'ogg', options: { channels: 1 }, inputKey: 'b.flac', inputBytes: 2 ** 40, webhook });
  t.same(made, await db.task.findUnique({ where: { id: made.id } }), 'every field, its name and its type (BigInt, Date, JSON)');
  t.match(await db.webhookEndpoint.findFirst({ where: { taskId: made.id } }), { ...webhook, userId, events: ['task.processed', 'task.failed'] });
  t.ok(Math.abs(made.createdAt.getTime() - Date.now()) < 60_000, 'timestamps are UTC, as Prisma keeps them');

  const upload = await db.upload.create({
    data: { id: randomUUID(), userId, fileName: 'c.wav', sourceFormat: 'wav', contentType: 'audio/wav', objectKey: 'c.wav', bytes: 3n, expiresAt: new Date(Date.now() + 60_000) },
  });
  const fromUpload = { userId, fileName: 'c.wav', sourceFormat: 'wav', targetFormat: 'mp3', options: {}, inputKey: 'c.wav', inputBytes: 3 };
  const first = await createTaskFromUpload(db, upload, fromUpload);
  t.same(first, await db.task.findUnique({ where: { id: first?.id ?? 0 } }));
  t.equal(await createTaskFromUpload(db, upload, fromUpload), null, 'an upload makes one task');
  t.equal(await db.task.count({ where: { inputKey: 'c.wav' } }), 1, 'and nothing is written for the second');
  t.equal(await db.webhookEndpoint.count({ where: { taskId: first?.id ?? 0 } }), 0, 'no webhook asked, none made');
});

t.test('mark enqueued only for the current version', async (t) => {
  const { ref, userId } = await newTask();
  await markEnqueued(db, { ...ref, version: 2 });
  t.equal((await db.task.findUnique({ where: { id: ref.taskId } }))?.enqueuedAt, null, 'another version changes nothing');
  const versionOf = async () => (await db.user.findUnique({ where: { id: userId } }))?.tasksVersion;
  const before = await versionOf();
  await markEnqueued(db, ref);
  t.ok((await db.task.findUnique({ where: { id: ref.taskId } }))?.enqueuedAt instanceof Date);
  t.equal(await versionOf(), before, 'bookkeeping a client does not see leaves the list version (migration visible_task_changes)');
  await claimTask(db, ref);
  t.ok((await versionOf())! > before!, 'a change a client sees moves it');
});

t.test('the sweeper sees a task whose send never succeeded', async (t) => {
  const { ref } = await newTask();
  t.ok((await findUnsent(db, 0, 100_000)).some((task) => task.id === ref.taskId), 'unsent task listed');
  await markEnqueued(db, ref);
  t.notOk((await findUnsent(db, 0, 100_000)).some((task) => task.id === ref.taskId), 'sent task not listed');
});

t.test('claim → progress → finish; then nothing moves it but a reset', async (t) => {
  const { ref } = await newTask();
  const claimed = await claimTask(db, ref);
  t.match(claimed, { status: 'processing', progress: 0, startedAt: Date });
  await recordProgress(db, ref, 40);
  t.equal((await db.task.findUnique({ where: { id: ref.taskId } }))?.progress, 40);
  t.equal(await finishTask(db, ref, result, RETENTION_DAYS), true);
  t.match(await db.task.findUnique({ where: { id: ref.taskId } }), { status: 'processed', progress: 100, outputKey: 'out.v1.mp3', outputBytes: 1234n, finishedAt: Date });
  t.equal(await claimTask(db, ref), null, 'a redelivery cannot claim a finished task');
  t.equal(await failTask(db, ref, 'late', RETENTION_DAYS), false, 'nor fail it');
  t.equal(await releaseTask(db, ref), false, 'nor release it');
  await recordProgress(db, ref, 10);
  t.equal((await db.task.findUnique({ where: { id: ref.taskId } }))?.progress, 100, 'late progress is ignored');
});

t.test('two claims of one message both hold it (a redelivery after a crash), a finish counts once', async (t) => {
  const { ref } = await newTask();
  const [a, b] = await Promise.all([claimTask(db, ref), claimTask(db, ref)]);
  t.ok(a && b, 'a crashed worker cannot block the redelivery');
  const finishes = await Promise.all([finishTask(db, ref, result, RETENTION_DAYS), finishTask(db, ref, result, RETENTION_DAYS)]);
  t.same(finishes.sort(), [false, true], 'exactly one finish wins');
});

t.test('fail from uploaded or processing, with the reason', async (t) => {
  const fromUploaded = await newTask();
  t.equal(await failTask(db, fromUploaded.ref, 'dead letter', RETENTION_DAYS), true);
  t.match(await db.task.findUnique({ where: { id: fromUploaded.ref.taskId } }), { status: 'failed', statusReason: 'dead letter', finishedAt: Date });
  const fromProcessing = await newTask();
  await claimTask(db, fromProcessing.ref);
  t.equal(await failTask(db, fromProcessing.ref, 'not audio', RETENTION_DAYS), true);
  t.equal(await statusOf(fromProcessing.ref.taskId), 'failed');
});

t.test('release after an abort: back to uploaded, claimable again', async (t) => {
  const { ref } = await newTask();
  t.equal(await releaseTask(db, ref), false, 'an uploaded task is not released');
  await claimTask(db, ref);
  t.equal(await releaseTask(db, ref), true);
  t.match(await db.task.findUnique({ where: { id: ref.taskId } }), { status: 'uploaded', progress: 0, startedAt: null });
  t.ok(await claimTask(db, ref));
});

t.test('reset: new target, version + 1, everything of the old version cleared', async (t) => {
  const { ref, userId } = await newTask();
  await claimTask(db, ref);
  await finishTask(db, ref, result, RETENTION_DAYS);
  await claimNotification(db, ref);
  const reset = await resetTask(db, ref.taskId, userId, { targetFormat: 'flac', options: {} });
  t.equal(reset?.previousOutputKey, 'out.v1.mp3', 'the old result is handed back for deletion');
  t.match(reset?.task, { status: 'uploaded', version: 2, targetFormat: 'flac', options: {}, outputKey: null, outputBytes: null, notifiedAt: null, enqueuedAt: null, finishedAt: null });
  t.equal(await resetTask(db, ref.taskId, userId + 1, { targetFormat: 'ogg', options: {} }), null, "another user's task is not found");
});

t.test('a finish after a reset is refused, and the old message can no longer claim', async (t) => {
  const { ref, userId } = await newTask();
  await claimTask(db, ref);
  await resetTask(db, ref.taskId, userId, { targetFormat: 'ogg', options: {} });
  t.equal(await finishTask(db, ref, result, RETENTION_DAYS), false, 'the version 1 result is refused');
  t.equal(await failTask(db, ref, 'x', RETENTION_DAYS), false, 'so is a version 1 failure');
  t.equal(await claimTask(db, ref), null);
  t.ok(await claimTask(db, { ...ref, version: 2 }), 'the version 2 message claims');
});

t.test('concurrent resets each apply once: versions do not collide', async (t) => {
  const { ref, userId } = await newTask();
  const resets = await Promise.all(['ogg', 'flac', 'wav', 'opus'].map((targetFormat) => resetTask(db, ref.taskId, userId, { targetFormat, options: {} })));
  t.same(resets.map((r) => r?.task.version).sort(), [2, 3, 4, 5]);
  const final = await db.task.findUnique({ where: { id: ref.taskId } });
  t.equal(final?.version, 5);
  t.equal(final?.targetFormat, resets.find((r) => r?.task.version === 5)?.task.targetFormat, 'the last version names the last target');
});

t.test('delete during a conversion: the worker finds nothing to finish', async (t) => {
  const { ref, userId } = await newTask();
  await claimTask(db, ref);
  t.equal(await deleteTask(db, ref.taskId, userId + 1), null, "another user's task is not deleted");
  t.match(await deleteTask(db, ref.taskId, userId), { id: ref.taskId, inputKey: 'in.wav' }, 'the deleted row is handed back for its files');
  t.equal(await finishTask(db, ref, result, RETENTION_DAYS), false);
  t.equal(await releaseTask(db, ref), false);
  t.equal(await deleteTask(db, ref.taskId, userId), null, 'a second delete finds nothing');
});

t.test('the notification: claimed once per final version, released when sending failed', async (t) => {
  const { ref } = await newTask();
  t.equal(await claimNotification(db, ref), null, 'nothing is owed before the task is final');
  await claimTask(db, ref);
  await finishTask(db, ref, result, RETENTION_DAYS);
  const claims = await Promise.all([claimNotification(db, ref), claimNotification(db, ref)]);
  t.equal(claims.filter(Boolean).length, 1, 'two racing claims: one wins');
  t.match(claims.find(Boolean), { user: { email: /@example\.com$/ } }, 'with the address to send to');
  await releaseNotification(db, ref);
  t.ok(await claimNotification(db, ref), 'after a failed send it can be claimed again');
  t.equal(await claimNotification(db, { ...ref, version: 2 }), null, 'not for another version');
});

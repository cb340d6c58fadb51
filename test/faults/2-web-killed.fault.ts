// Scenario 2: the web process SIGKILLed while uploads stream through it, some just begun,
// some with parts already in S3, one stored and being recorded (the database is frozen for
// the moment before the kill, so that an upload is surely caught between S3 and its task). Every client whose
// upload was cut sees an error, never a 201; a new web process takes over; no task is
// left without its object, and once the sweeper ran no object is left without a task.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { audioBytes } from '../helpers/audio.ts';
import { waitFor } from '../helpers/worker.ts';
import { ApiClient } from './client.ts';
import { emailSpread, reportFigures } from './figures.ts';
import { startFaultStack, unreferencedObjects } from './harness.ts';

const UPLOADS = 8;
const CHUNK = 256 * 1024;
/** Then the database freezes; the kill follows once a stored upload waits for its task's insert. */
const FREEZE_AFTER_MS = 1500;

/** A multipart upload whose file arrives a chunk every `pauseMs`, as over a slow link. */
function slowUpload(client: ApiClient, file: Buffer, fileName: string, pauseMs: number): Promise<Response> {
  const boundary = `----fault${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\ncontent-disposition: form-data; name="newFormat"\r\n\r\nmp3\r\n` +
      `--${boundary}\r\ncontent-disposition: form-data; name="fileName"; filename="${fileName}"\r\ncontent-type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (offset === 0) controller.enqueue(head);
      if (offset >= file.length) {
        controller.enqueue(tail);
        return controller.close();
      }
      await sleep(pauseMs);
      controller.enqueue(file.subarray(offset, offset + CHUNK));
      offset += CHUNK;
    },
  });
  return client.request('/api/tasks', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, duplex: 'half' } as RequestInit, 120_000);
}

t.test('a web process SIGKILLed mid-upload: an error, never a 201; nothing half-written once swept', async (t) => {
  const stack = await startFaultStack(t, { databaseProxy: true, env: { UNSENT_GRACE_SECONDS: '3', ORPHAN_GRACE_SECONDS: '10' } });
  const web = stack.webs[0]!;
  const client = new ApiClient(web.url);
  await client.signUpAndLogIn();
  await stack.startWorker();
  const wav = await audioBytes('wav', 70); // ~12 MB: above the 5 MiB part size, so parts reach S3 before the end

  // Staggered starts and speeds: at the kill the first upload is stored and waits for its
  // insert, the others have parts in S3 or have barely begun.
  const kill = (async () => {
    await sleep(FREEZE_AFTER_MS);
    stack.database!.freeze();
    await waitFor('a stored upload without its task', async () => (await unreferencedObjects(stack)).length > 0, 60_000);
    const exited = once(web.process, 'exit');
    web.process.kill('SIGKILL');
    // Thawed only once the proxy saw the dead process's connections close: the held insert is
    // dropped as a partition that outlives the process would drop it (delivered, it would
    // record the task without its 201, which is consistent too, but leaves the sweeper nothing).
    await exited;
    await sleep(500);
    stack.database!.thaw();
  })();
  const outcomes = await Promise.all(
    Array.from({ length: UPLOADS }, async (_, i): Promise<{ status: number | 'error'; id?: number }> => {
      await sleep(i * 150); // all begun (their task ids reserved) before the freeze; upload i streams for about 2 + i s
      const response = await slowUpload(client, wav, `cut-${i}.wav`, 40 + i * 20).catch(() => null);
      if (!response) return { status: 'error' };
      const id = response.status === 201 ? ((await response.json()) as { id: number }).id : undefined;
      if (!id) await response.arrayBuffer();
      return { status: response.status, id };
    }),
  );
  await kill;
  const killedAt = Date.now();
  const leftByKill = (await unreferencedObjects(stack)).length;
  const replacement = await stack.startWeb();
  const back = new ApiClient(replacement.url);
  back.token = client.token;
  const retry = await back.upload(await audioBytes('wav', 2), 'after-the-kill.wav', 'mp3');
  const webBackAt = Date.now();

  const accepted = outcomes.filter((o) => o.status === 201).map((o) => o.id!);
  const tasks = await waitFor('every task final', async () => {
    const rows = await stack.db.task.findMany({ where: { user: { username: client.username } } });
    return rows.every((row) => row.status === 'processed' || row.status === 'failed') ? rows : null;
  }, 120_000).catch(() => stack.db.task.findMany({ where: { user: { username: client.username } } }));
  const orphans = await waitFor('the sweeper to remove what the dead process left', async () => {
    const left = await unreferencedObjects(stack);
    return left.length === 0 ? left : null;
  }, 60_000).catch(() => unreferencedObjects(stack));
  const keys = new Set(await stack.objectKeys());
  const withoutObject = tasks.filter((task) => !keys.has(task.inputKey));
  const recoveredAt = Date.now();
  await waitFor('the emails', async () => (await stack.emails()).length >= tasks.length, 30_000).catch(() => null);
  await sleep(1000); // a late duplicate would arrive now
  const emails = await stack.emails();
  const perTask = tasks.map((task) => emails.filter((e) => e.subject.startsWith(`${task.fileName} `)).length);
  const unannounced = tasks.filter((task) => task.fileName.startsWith('cut-') && !accepted.includes(task.id)).length;

  reportFigures(t, {
    scenario: `2 web SIGKILLed mid-upload (${UPLOADS} uploads of 12 MB)`,
    submitted: UPLOADS,
    processed: tasks.filter((task) => task.status === 'processed').length,
    failedWithReason: tasks.filter((task) => task.status === 'failed' && task.statusReason).length,
    lost: withoutObject.length + accepted.filter((id) => !tasks.some((task) => task.id === id && task.status === 'processed')).length,
    emailsPerTask: emailSpread(perTask),
    http5xx: client.http5xx + back.http5xx,
    recoverSeconds: (recoveredAt - killedAt) / 1000,
    notes: `clients: ${outcomes.filter((o) => o.status === 'error').length} errors, ${accepted.length}×201 before the kill; ${unannounced} tasks recorded without their 201 (kept and converted); ${withoutObject.length} tasks without their object; ${leftByKill} objects without a task after the kill, ${orphans.length} after the sweep; new web answered in ${((webBackAt - killedAt) / 1000).toFixed(1)} s`,
  });
  t.ok(outcomes.some((o) => o.status === 'error'), 'uploads were cut by the kill');
  // 503: an upload that reached its insert while the database was frozen, answered before the kill.
  t.same(outcomes.filter((o) => o.status !== 'error' && o.status !== 201 && o.status !== 503), [], 'a cut upload is an error, never a 201 it did not earn');
  t.ok(leftByKill > 0, 'the kill left a stored upload without its task');
  t.equal(retry.status, 201, 'the new web process takes uploads');
  t.same(withoutObject.map((task) => task.id), [], 'no task without its object');
  t.same(orphans, [], 'no object without a task once the sweeper ran');
  t.ok(tasks.every((task) => task.status === 'processed'), 'every recorded task converted');
  t.same(perTask.filter((n) => n !== 1), [], 'one email per task');
  t.equal(outcomes.filter((o) => o.status === 500).length + back.http5xx, 0, 'no 500');
});

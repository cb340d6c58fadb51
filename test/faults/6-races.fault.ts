// Scenario 6: races on one task. Concurrent PUT, DELETE and PUT (or three PUTs) with workers
// converting at the same time, and downloads during a re-conversion. The final state must be consistent:
// either the task is gone with all its files, or it holds only its latest version's result;
// superseded versions get no email; no answer is a 5xx.
import t from 'tap';
import { processTask } from '../../src/worker/process-task.ts';
import { build, signUp, uploadTask, type TestUser } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { userObjects } from '../helpers/s3.ts';
import { emailsTo } from '../helpers/mail.ts';
import { workerDeps } from '../helpers/worker.ts';
import { emailSpread, reportFigures } from './figures.ts';

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 8);
const signal = () => new AbortController().signal;

t.test('PUT, DELETE and PUT at once, with workers running: one consistent end', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const wav = await audioBytes('wav', 3);
  let http5xx = 0;
  let inconsistent = 0;
  let deleted = 0;
  let converted = 0;
  const emailCounts: number[] = [];
  const count5xx = (status: number) => void (status >= 500 && (http5xx += 1));
  const put = (user: TestUser, id: number, newFormat: string) =>
    app.inject({ method: 'PUT', url: `/api/tasks/${id}`, headers: user.headers, payload: { newFormat } }).then((r) => (count5xx(r.statusCode), r));

  for (let round = 0; round < ROUNDS; round++) {
    const user = await signUp(app);
    const id = await uploadTask(app, user, wav, `race-${round}.wav`, [['newFormat', 'mp3']]);
    const first = processTask(deps, { taskId: id, version: 1 }, signal()).catch(() => 'error');
    // Every other round without the DELETE: otherwise it always wins, and the PUTs' race is never judged.
    const middle = round % 2 ? put(user, id, 'wav') : app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers }).then((r) => (count5xx(r.statusCode), r));
    await Promise.all([put(user, id, 'flac'), middle, put(user, id, 'ogg')]);
    await first;
    // The messages of every version that may exist, delivered in any order, some twice.
    const row = await deps.db.task.findUnique({ where: { id } });
    if (row) await Promise.all([1, 2, 3, row.version, row.version].map((version) => processTask(deps, { taskId: id, version }, signal()).catch(() => 'error')));
    const after = await deps.db.task.findUnique({ where: { id } });
    const objects = await userObjects(user.id);
    if (!after) {
      deleted += 1;
      if (objects.length) inconsistent += 1;
    } else {
      converted += 1;
      const expected = [after.inputKey, after.outputKey].filter(Boolean).sort();
      if (after.status !== 'processed' || JSON.stringify(objects) !== JSON.stringify(expected) || !after.outputKey?.includes(`.v${after.version}.`)) inconsistent += 1;
    }
    const mails = await emailsTo(`${user.username}@example.com`);
    // Version 1 may finish before the PUTs land; a version superseded before it was
    // processed (the PUT that lost) must never be announced. The target says which.
    const stale = mails.filter((m) => !m.subject.endsWith('as MP3') && !(after && m.subject.endsWith(`as ${after.targetFormat.toUpperCase()}`))).length;
    if (stale) inconsistent += 1;
    if (after) emailCounts.push(mails.filter((m) => m.subject.endsWith(`as ${after.targetFormat.toUpperCase()}`)).length);
  }

  // Downloads while the task is converted again: 200 of a whole file or 409, never a 5xx or a mix.
  const user = await signUp(app);
  const id = await uploadTask(app, user, wav, 'download.wav', [['newFormat', 'mp3']]);
  await processTask(deps, { taskId: id, version: 1 }, signal());
  const downloads: number[] = [];
  const reconvert = (async () => {
    for (const [i, format] of ['flac', 'ogg', 'wav'].entries()) {
      await put(user, id, format);
      await processTask(deps, { taskId: id, version: i + 2 }, signal());
    }
  })();
  let finished = false;
  void reconvert.then(() => (finished = true));
  while (!finished) {
    const response = await app.inject({ method: 'GET', url: `/api/tasks/${id}/converted`, headers: user.headers });
    count5xx(response.statusCode);
    downloads.push(response.statusCode);
  }
  await reconvert;
  const final = await deps.db.task.findUniqueOrThrow({ where: { id } });
  const objects = await userObjects(user.id);

  reportFigures(t, {
    scenario: `6 races: ${ROUNDS} rounds of PUT+DELETE+PUT or PUT×3, downloads during re-conversion`,
    submitted: ROUNDS + 1,
    processed: converted + 1,
    failedWithReason: 0,
    lost: inconsistent,
    emailsPerTask: emailSpread(emailCounts),
    http5xx,
    recoverSeconds: 0,
    notes: `${deleted} ended deleted, ${converted} converted; downloads ${downloads.filter((s) => s === 200).length}×200 ${downloads.filter((s) => s === 409).length}×409`,
  });
  t.equal(inconsistent, 0, 'every round ends consistent: gone with its files, or only the latest result, announced once');
  t.ok(converted >= Math.floor(ROUNDS / 2), 'the rounds without a DELETE end converted');
  t.ok(emailCounts.every((n) => n === 1), 'the surviving version is announced once');
  t.equal(http5xx, 0);
  t.ok(downloads.every((s) => s === 200 || s === 409), 'downloads: a file or "not yet"');
  t.match(final, { status: 'processed', version: 4, outputKey: /converted\.v4\.wav$/ });
  t.same(objects, [final.inputKey, final.outputKey].sort(), 'only the latest result is stored');
});

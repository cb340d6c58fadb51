// Files expire after FILE_RETENTION_DAYS (here 30 seconds, as a fraction of a day): the
// sweeper deletes both from S3, the task stays with expired: true, downloads answer 410.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { processTask } from '../../src/worker/process-task.ts';
import { sweepExpired } from '../../src/worker/expiry-sweeper.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { isolatedDatabase } from '../helpers/env.ts';
import { userObjects } from '../helpers/s3.ts';
import { workerDeps } from '../helpers/worker.ts';

// Long enough for the upload and conversion before it on a busy machine.
const RETENTION_SECONDS = 30;

t.test('after the retention period both files are gone, the task stays, and downloads answer 410', async (t) => {
  const env = { DATABASE_URL: await isolatedDatabase(t), FILE_RETENTION_DAYS: String(RETENTION_SECONDS / 86_400) };
  const app = await build(t, env);
  const deps = await workerDeps(t, env);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'song.wav', [['newFormat', 'mp3']]);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, new AbortController().signal), 'processed');

  const before = (await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).json();
  t.match(before, { expired: false, links: { converted: `/api/tasks/${id}/converted` } });
  t.equal(Date.parse(before.expiresAt) - Date.parse(before.createdAt), RETENTION_SECONDS * 1000, 'expiresAt is the upload time plus the retention');
  t.equal(await sweepExpired(deps), 0, 'nothing is due yet');
  t.equal((await app.inject({ url: `/api/tasks/${id}/converted`, headers: user.headers })).statusCode, 200);
  t.equal((await userObjects(user.id)).length, 2);

  await sleep(Date.parse(before.expiresAt) - Date.now() + 100);
  const newer = await uploadTask(app, user, await audioBytes('wav', 1), 'newer.wav', [['newFormat', 'mp3']]);
  t.equal(await sweepExpired(deps), 2, 'the original and the result');
  t.same(await userObjects(user.id), [`users/${user.id}/tasks/${newer}/original.wav`], 'only the newer upload is left');

  const after = (await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).json();
  t.match(after, { id, status: 'processed', expired: true, expiresAt: before.expiresAt, links: { converted: null } });
  for (const path of [`/api/tasks/${id}/converted`, `/api/tasks/${id}/original`, '/api/files/song.wav']) {
    const response = await app.inject({ url: path, headers: user.headers });
    t.equal(response.statusCode, 410, path);
    t.match(response.json(), { statusCode: 410, error: 'Gone', message: /were deleted on .* at the end of the retention period; upload the file again/ }, path);
  }
  const convertAgain = await app.inject({ method: 'PUT', url: `/api/tasks/${id}`, headers: user.headers, payload: { newFormat: 'flac' } });
  t.equal(convertAgain.statusCode, 410, 'an expired task cannot be converted again');
  t.equal(await sweepExpired(deps), 0, 'each task expires once');
  t.equal((await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers })).statusCode, 204, 'it can still be deleted');
});

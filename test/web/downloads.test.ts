import t from 'tap';
import { processTask } from '../../src/worker/process-task.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { workerDeps } from '../helpers/worker.ts';

t.test('downloads: names, ranges, and /api/files before and after conversion', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const id = await uploadTask(app, user, wav, '歌 song.wav', [['newFormat', 'mp3']]);

  const original = await app.inject({ url: `/api/tasks/${id}/original`, headers: user.headers });
  t.equal(original.statusCode, 200);
  t.equal(original.headers['content-length'], String(wav.length));
  t.equal(original.headers['accept-ranges'], 'bytes');
  t.match(original.headers['content-disposition'], /^attachment; filename="\? song.wav"; filename\*=UTF-8''%E6%AD%8C%20song.wav$/);
  t.ok(original.rawPayload.equals(wav), 'the bytes that were uploaded');

  const range = await app.inject({ url: `/api/tasks/${id}/original`, headers: { ...user.headers, range: 'bytes=10-19' } });
  t.equal(range.statusCode, 206);
  t.equal(range.headers['content-range'], `bytes 10-19/${wav.length}`);
  t.ok(range.rawPayload.equals(wav.subarray(10, 20)), 'exactly the requested bytes');

  const outside = await app.inject({ url: `/api/tasks/${id}/original`, headers: { ...user.headers, range: `bytes=${wav.length + 10}-` } });
  t.equal(outside.statusCode, 416);
  t.match(outside.json().message, /outside the file/);

  const before = await app.inject({ url: `/api/files/${encodeURIComponent('歌 song.wav')}`, headers: user.headers });
  t.equal(before.statusCode, 200);
  t.ok(before.rawPayload.equals(wav), 'before conversion: the original');

  t.equal(await processTask(deps, { taskId: id, version: 1 }, new AbortController().signal), 'processed');
  const after = await app.inject({ url: `/api/files/${encodeURIComponent('歌 song.wav')}`, headers: user.headers });
  t.equal(after.statusCode, 200);
  t.equal(after.headers['content-type'], 'audio/mpeg');
  t.match(after.headers['content-disposition'], /filename\*=UTF-8''%E6%AD%8C%20song.mp3$/);
  t.equal(after.rawPayload.subarray(0, 3).toString('latin1'), 'ID3', 'after conversion: the mp3');
});

t.test('/ready says which dependency is down, with 503', async (t) => {
  const app = await build(t, { S3_BUCKET: 'no-such-bucket-for-ready' });
  const response = await app.inject({ url: '/ready' });
  t.equal(response.statusCode, 503);
  t.match(response.json(), { status: 'unavailable', checks: { database: 'ok', queue: 'ok', storage: /^unreachable: / } });
  const good = await build(t);
  t.same((await good.inject({ url: '/ready' })).json(), { status: 'ready', checks: { database: 'ok', storage: 'ok', queue: 'ok' } });
});

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { TARGET_FORMATS, TARGET_FORMAT_NAMES } from '../../src/audio/formats.ts';
import { getObject } from '../../src/storage/s3.ts';
import { processTask } from '../../src/worker/process-task.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes, probe } from '../helpers/audio.ts';
import { userObjects } from '../helpers/s3.ts';
import { emailsTo } from '../helpers/mail.ts';
import { waitFor, workerDeps } from '../helpers/worker.ts';

const signal = () => new AbortController().signal;

t.test('every target format, checked with ffprobe: codec and duration within 1%', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav', 10);
  const results = await Promise.all(
    TARGET_FORMAT_NAMES.map(async (format) => {
      const id = await uploadTask(app, user, wav, `tone-${format}.wav`, [['newFormat', format]]);
      return { format, id, outcome: await processTask(deps, { taskId: id, version: 1 }, signal()) };
    }),
  );
  for (const { format, id, outcome } of results) {
    t.equal(outcome, 'processed', format);
    const task = (await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).json();
    t.match(task, { status: 'processed', progress: 100, outputBytes: Number, durationSeconds: Number, links: { converted: `/api/tasks/${id}/converted` } });
    const download = await app.inject({ url: `/api/tasks/${id}/converted`, headers: user.headers });
    t.equal(download.statusCode, 200);
    t.equal(download.headers['content-type'], TARGET_FORMATS[format].contentType);
    t.match(download.headers['content-disposition'], `attachment; filename="tone-${format}.${format}"`);
    const path = join(deps.tempRoot, `check.${format}`);
    await writeFile(path, download.rawPayload);
    const info = await probe(path);
    t.equal(info.codec, { mp3: 'mp3', aac: 'aac', m4a: 'aac', ogg: 'vorbis', opus: 'opus', wav: 'pcm_s16le', wma: 'wmav2', flac: 'flac' }[format], `${format} codec`);
    t.ok(Math.abs(info.duration - 10) / 10 < 0.01, `${format} duration ${info.duration} within 1% of 10 s`);
  }
  t.same(await readdir(deps.tempRoot).then((names) => names.filter((n) => n.startsWith('cct-task-'))), [], 'no temporary files left');
});

t.test('options are applied: bitrate, sample rate, channels', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 10), 'opts.wav', [['newFormat', 'mp3'], ['bitrate', '96k'], ['sampleRate', '22050'], ['channels', '1']]);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, signal()), 'processed');
  const download = await app.inject({ url: `/api/tasks/${id}/converted`, headers: user.headers });
  const path = join(deps.tempRoot, 'opts.mp3');
  await writeFile(path, download.rawPayload);
  t.match(await probe(path), { codec: 'mp3', sampleRate: 22050, channels: 1, bitRate: 96000 });
});

t.test('a file that is not audio fails with a reason, and the owner is told once', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const text = await uploadTask(app, user, Buffer.from('this is not audio at all '.repeat(100)), 'fake.mp3', [['newFormat', 'wav']]);
  t.equal(await processTask(deps, { taskId: text, version: 1 }, signal()), 'failed');
  const task = (await app.inject({ url: `/api/tasks/${text}`, headers: user.headers })).json();
  t.match(task, { status: 'failed', statusReason: /could not be read as audio/, links: { converted: null } });
  const mails = await waitFor('the failure email', async () => {
    const found = await emailsTo(`${user.username}@example.com`);
    return found.length ? found : null;
  });
  t.equal(mails.length, 1);
  t.match(mails[0], { subject: 'fake.mp3 could not be converted', text: /could not be read as audio/ });
  t.equal(await processTask(deps, { taskId: text, version: 1 }, signal()), 'dropped', 'a redelivery does nothing');
  t.equal((await emailsTo(`${user.username}@example.com`)).length, 1, 'still one email');
});

t.test('a message delivered twice gives one output and one email', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 2), 'twice.wav', [['newFormat', 'ogg']]);
  const outcomes = await Promise.all([processTask(deps, { taskId: id, version: 1 }, signal()), processTask(deps, { taskId: id, version: 1 }, signal())]);
  t.ok(outcomes.includes('processed'), `one of them converted: ${outcomes}`);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, signal()), 'dropped', 'a third delivery is dropped');
  t.same(await userObjects(user.id), [`users/${user.id}/tasks/${id}/converted.v1.ogg`, `users/${user.id}/tasks/${id}/original.wav`]);
  const mails = await emailsTo(`${user.username}@example.com`);
  t.equal(mails.length, 1, 'one email');
  t.match(mails[0], { subject: 'twice.wav is ready as OGG', text: new RegExp(`Download it from http\\S+/ \\(log in.*GET http\\S+/api/tasks/${id}/converted`), html: /<a href="http[^"]+\/">Open Cloud Conversion Tool/ });
});

t.test('a task re-formatted mid-conversion: the old result is discarded, no email for it', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 120), 'long.wav', [['newFormat', 'aac']]);
  const running = processTask(deps, { taskId: id, version: 1 }, signal());
  await waitFor('processing', async () => (await deps.db.task.findUnique({ where: { id } }))?.status === 'processing');
  const put = await app.inject({ method: 'PUT', url: `/api/tasks/${id}`, headers: user.headers, payload: { newFormat: 'flac' } });
  t.equal(put.statusCode, 200);
  t.equal(await running, 'dropped');
  t.same(await userObjects(user.id), [`users/${user.id}/tasks/${id}/original.wav`], 'no v1 result left');
  t.same(await emailsTo(`${user.username}@example.com`), []);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, signal()), 'dropped', 'the old message is dropped');
  t.equal(await processTask(deps, { taskId: id, version: 2 }, signal()), 'processed', 'the new one converts');
  const object = await getObject(deps.s3, deps.config.S3_BUCKET, `users/${user.id}/tasks/${id}/converted.v2.flac`);
  t.ok(object.ContentLength! > 0);
});

t.test('a task deleted mid-conversion leaves nothing behind', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 120), 'gone.wav', [['newFormat', 'aac']]);
  const running = processTask(deps, { taskId: id, version: 1 }, signal());
  await waitFor('processing', async () => (await deps.db.task.findUnique({ where: { id } }))?.status === 'processing');
  t.equal((await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers })).statusCode, 204);
  t.equal(await running.catch(() => 'dropped'), 'dropped');
  t.same(await userObjects(user.id), []);
  t.same(await emailsTo(`${user.username}@example.com`), []);
});

t.test('progress is written while ffmpeg runs', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 300), 'progress.wav', [['newFormat', 'aac']]);
  const running = processTask(deps, { taskId: id, version: 1 }, signal());
  const seen = await waitFor('a progress value between 0 and 100', async () => {
    const progress = (await deps.db.task.findUnique({ where: { id } }))?.progress ?? 0;
    return progress > 0 && progress < 100 ? progress : null;
  });
  t.ok(seen > 0 && seen < 100, `progress ${seen}%`);
  t.equal(await running, 'processed');
});

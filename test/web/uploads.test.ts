// Direct uploads against the S3 emulator, whose front (src/dev/s3-browser-access.ts) verifies
// presigned URLs as S3 does: the SigV4 signature recomputed with the SDK's signer, and expiry.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { createUrlSigner } from '../../src/storage/presigned-urls.ts';
import { createS3, uploadKey } from '../../src/storage/s3.ts';
import { findOwnUpload } from '../../src/uploads/records.ts';
import { sweepExpiredUploads } from '../../src/uploads/sweeper.ts';
import { processTask } from '../../src/worker/process-task.ts';
import { build, signUp, type App, type TestUser } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { testConfig } from '../helpers/env.ts';
import { userObjects } from '../helpers/s3.ts';
import { workerDeps } from '../helpers/worker.ts';

const config = testConfig();
const s3 = createS3(config);
const db = createDatabase(config.DATABASE_URL);
t.teardown(async () => {
  s3.destroy();
  await db.$disconnect();
});

interface Upload {
  uploadId: string;
  method: 'PUT' | 'multipart';
  url?: string;
  headers?: Record<string, string>;
  partSize?: number;
  parts?: Array<{ partNumber: number; url: string }>;
  completeUrl?: string;
  expiresAt: string;
}

async function askUpload(app: App, user: TestUser, payload: object) {
  return app.inject({ method: 'POST', url: '/api/uploads', headers: user.headers, payload });
}

async function newUpload(app: App, user: TestUser, fileName: string, size: number, contentType?: string): Promise<Upload> {
  const response = await askUpload(app, user, { fileName, size, contentType });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json<Upload>();
}

const put = (upload: Upload, body: Uint8Array) => fetch(upload.url!, { method: 'PUT', headers: upload.headers, body: new Blob([new Uint8Array(body)]) });

const createTask = (app: App, user: TestUser, payload: object) => app.inject({ method: 'POST', url: '/api/tasks', headers: user.headers, payload });

t.test('the upload record as its SQL reads it is the record as Prisma reads it, before and after its use', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const upload = await newUpload(app, user, 'shape.wav', wav.length, 'audio/wav');
  const prisma = () => db.upload.findUnique({ where: { id: upload.uploadId } });
  t.strictSame(await findOwnUpload(db, upload.uploadId, user.id), await prisma(), 'unused: columns, BigInt size, UTC dates');
  t.equal((await put(upload, wav)).status, 200);
  t.equal((await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'mp3' })).statusCode, 201);
  const used = await findOwnUpload(db, upload.uploadId, user.id);
  t.type(used?.usedAt, Date);
  t.strictSame(used, await prisma(), 'used');
});

t.test('presigned PUT → task → conversion → presigned downloads', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const upload = await newUpload(app, user, '歌 song.wav', wav.length, 'audio/wav');
  t.match(upload, { uploadId: /^[0-9a-f-]{36}$/, method: 'PUT', headers: { 'content-type': 'audio/wav' } });
  t.ok(Date.parse(upload.expiresAt) > Date.now() + (config.UPLOAD_URL_TTL_SECONDS - 5) * 1000, 'expires after UPLOAD_URL_TTL_SECONDS');
  const url = new URL(upload.url!);
  t.equal(url.origin, new URL(config.AWS_ENDPOINT_URL!).origin, 'a URL of S3 itself');
  t.equal(url.pathname, `/${config.S3_BUCKET}/${uploadKey(user.id, upload.uploadId, 'wav')}`, 'the key is made of ids under the user’s prefix');
  t.match(url.searchParams.get('X-Amz-SignedHeaders'), /content-length/, 'the size is signed');

  t.equal((await put(upload, wav)).status, 200);
  const created = await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'mp3', bitrate: 128 });
  t.equal(created.statusCode, 201, created.body);
  t.match(created.json(), { fileName: '歌 song.wav', sourceFormat: 'wav', targetFormat: 'mp3', status: 'uploaded', inputBytes: wav.length, options: { bitrate: 128 } });
  const id = created.json<{ id: number }>().id;
  t.match(await db.task.findUnique({ where: { id } }), { enqueuedAt: Date, inputKey: uploadKey(user.id, upload.uploadId, 'wav') }, 'queued, reading the uploaded object in place');

  t.equal((await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'ogg' })).statusCode, 409, 'an upload makes one task');

  t.equal(await processTask(deps, { taskId: id, version: 1 }, new AbortController().signal), 'processed');
  const one = await app.inject({ url: `/api/tasks/${id}`, headers: user.headers });
  const urls = one.json<{ urls: { original: string; converted: string; expiresAt: string } }>().urls;
  t.ok(Date.parse(urls.expiresAt) <= Date.now() + config.DOWNLOAD_URL_TTL_SECONDS * 1000, 'short-lived');
  const converted = await fetch(urls.converted);
  t.equal(converted.status, 200);
  t.equal(converted.headers.get('content-type'), 'audio/mpeg');
  t.equal(converted.headers.get('content-disposition'), "attachment; filename=\"? song.mp3\"; filename*=UTF-8''%E6%AD%8C%20song.mp3");
  t.equal(Buffer.from(await converted.arrayBuffer()).subarray(0, 3).toString('latin1'), 'ID3');
  const list = await app.inject({ url: '/api/tasks', headers: user.headers });
  t.notOk('urls' in list.json()[0], 'a list signs nothing');

  const redirect = await app.inject({ url: `/api/tasks/${id}/original?redirect=1`, headers: user.headers });
  t.equal(redirect.statusCode, 302);
  const original = await fetch(redirect.headers.location as string);
  t.equal(original.status, 200);
  t.ok(Buffer.from(await original.arrayBuffer()).equals(wav), 'the bytes that were put');
  t.match(original.headers.get('content-disposition'), /filename\*=UTF-8''%E6%AD%8C%20song.wav$/);
  t.equal((await app.inject({ url: `/api/tasks/${id}/original`, headers: user.headers })).headers['content-length'], String(wav.length), 'without redirect: bytes as before');

  t.equal((await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers })).statusCode, 204);
  t.same(await userObjects(user.id), [], 'deleting the task deletes the uploaded object');
});

t.test('S3 refuses what the URL did not sign: another size, an expired URL', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const upload = await newUpload(app, user, 'a.wav', 1000);
  t.equal((await put(upload, new Uint8Array(1001))).status, 403, 'one byte more');
  const shorter = await put(upload, new Uint8Array(999));
  t.equal(shorter.status, 403, 'one byte less');
  t.match(await shorter.text(), /SignatureDoesNotMatch/);
  t.same(await userObjects(user.id), [], 'nothing stored');

  const signer = createUrlSigner(config, s3);
  const soon = await signer.put(uploadKey(user.id, upload.uploadId, 'wav'), 10, 'audio/wav', 1);
  await sleep(1500);
  const expired = await fetch(soon.url, { method: 'PUT', headers: soon.headers, body: new Blob([new Uint8Array(10)]) });
  t.equal(expired.status, 403);
  t.match(await expired.text(), /Request has expired/);
});

t.test('POST /api/uploads refuses, before any byte moves, what cannot become a task', async (t) => {
  const app = await build(t, { MAX_UPLOAD_BYTES: String(1024 * 1024) });
  const user = await signUp(app);
  const cases: Array<[object, number, RegExp]> = [
    [{ fileName: 'big.wav', size: 1024 * 1024 + 1 }, 413, /larger than the upload limit of 1048576 bytes/],
    [{ fileName: 'notes.txt', size: 10 }, 415, /not an audio file this service takes/],
    [{ fileName: 'a.wav' }, 400, /size/],
    [{ fileName: 'a.wav', size: 0 }, 400, /size/],
    [{ fileName: 'a.wav', size: 10, contentType: 'audio/wav\r\nx: y' }, 400, /contentType/],
  ];
  for (const [payload, status, message] of cases) {
    const response = await askUpload(app, user, payload);
    t.equal(response.statusCode, status, JSON.stringify(payload));
    t.match(response.json(), { statusCode: status, message }, JSON.stringify(payload));
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/uploads', payload: { fileName: 'a.wav', size: 1 } })).statusCode, 401, 'only for users');
  t.equal(await db.upload.count({ where: { userId: user.id } }), 0, 'no record');
});

t.test('POST /api/tasks from an upload: 404 unknown or not yours, 400 missing or wrong size or bad options', async (t) => {
  const app = await build(t);
  const owner = await signUp(app);
  const other = await signUp(app);
  const upload = await newUpload(app, owner, 'mine.wav', 100);

  const notYours = await createTask(app, other, { uploadId: upload.uploadId, newFormat: 'mp3' });
  t.equal(notYours.statusCode, 404);
  t.match(notYours.json().message, /was not found/);
  t.equal((await createTask(app, owner, { uploadId: '00000000-0000-4000-8000-000000000000', newFormat: 'mp3' })).statusCode, 404, 'unknown');
  t.equal((await createTask(app, owner, { uploadId: 'nope', newFormat: 'mp3' })).statusCode, 400, 'not an id');
  t.match((await createTask(app, owner, { uploadId: upload.uploadId, newFormat: 'xyz' })).json().message, /newFormat "xyz" is not supported/);

  const missing = await createTask(app, owner, { uploadId: upload.uploadId, newFormat: 'mp3' });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().message, /is not in storage: PUT it/);

  // An object of another size at the upload's key (S3 itself never stores one through the signed URL).
  await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: uploadKey(owner.id, upload.uploadId, 'wav'), Body: new Uint8Array(50) }));
  const wrong = await createTask(app, owner, { uploadId: upload.uploadId, newFormat: 'mp3' });
  t.equal(wrong.statusCode, 400);
  t.match(wrong.json().message, /has 50 bytes, but 100 were declared/);
  // An empty object has no first byte to range over (object-size.ts asks for it).
  await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: uploadKey(owner.id, upload.uploadId, 'wav'), Body: new Uint8Array(0) }));
  t.match((await createTask(app, owner, { uploadId: upload.uploadId, newFormat: 'mp3' })).json().message, /has 0 bytes, but 100 were declared/);

  t.equal((await put(upload, new Uint8Array(100))).status, 200);
  t.equal((await createTask(app, owner, { uploadId: upload.uploadId, newFormat: 'mp3' })).statusCode, 201, 'a retry after the PUT works');
  t.equal(await db.task.count({ where: { userId: owner.id } }), 1, 'the refused attempts made no task');
});

t.test("POST /api/tasks from an upload takes a webhookUrl, checked before the upload is used", async (t) => {
  const app = await build(t, { WEBHOOK_ALLOW_PRIVATE: '1' });
  const user = await signUp(app);
  const upload = await newUpload(app, user, 'hooked.wav', 100);
  t.equal((await put(upload, new Uint8Array(100))).status, 200);

  const refused = await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'mp3', webhookUrl: 'ftp://example.com/hook' });
  t.equal(refused.statusCode, 400);
  t.match(refused.json().message, /^webhookUrl: webhook URLs must start with http:\/\/ or https:\/\//);
  const created = await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'mp3', webhookUrl: 'http://127.0.0.1:9/hook' });
  t.equal(created.statusCode, 201, 'the refused request left the upload unused');
  t.match(created.json(), { webhookSecret: /^whsec_/ });
  t.match(await db.webhookEndpoint.findFirst({ where: { taskId: created.json<{ id: number }>().id } }), { url: 'http://127.0.0.1:9/hook', userId: user.id });
});

t.test('multipart: a 200 MB file in presigned parts, each part’s size signed', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const size = 200 * 1000 * 1000;
  const file = Buffer.alloc(size, 7);
  const upload = await newUpload(app, user, 'long.wav', size, 'audio/wav');
  t.match(upload, { method: 'multipart', partSize: config.UPLOAD_PART_BYTES, completeUrl: /uploadId=/ });
  t.equal(upload.parts!.length, Math.ceil(size / config.UPLOAD_PART_BYTES));

  const first = upload.parts![0]!;
  t.equal((await fetch(first.url, { method: 'PUT', body: new Blob([file.subarray(0, 1000)]) })).status, 403, 'a part of another size is refused');
  const etags: string[] = [];
  for (const part of upload.parts!) {
    const start = (part.partNumber - 1) * upload.partSize!;
    const response = await fetch(part.url, { method: 'PUT', body: new Blob([file.subarray(start, start + upload.partSize!)]) });
    t.equal(response.status, 200, `part ${part.partNumber}`);
    etags.push(response.headers.get('etag')!);
  }
  const early = await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'flac' });
  t.equal(early.statusCode, 400, 'parts alone are not the file');
  const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const complete = await fetch(upload.completeUrl!, { method: 'POST', body: xml });
  t.equal(complete.status, 200, await complete.clone().text());
  const created = await createTask(app, user, { uploadId: upload.uploadId, newFormat: 'flac' });
  t.equal(created.statusCode, 201, created.body);
  t.equal(created.json().inputBytes, size);
  await app.inject({ method: 'DELETE', url: `/api/tasks/${created.json().id}`, headers: user.headers }); // the emulator keeps objects in memory
});

t.test('the sweeper deletes expired uploads that never became tasks, and every expired record', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const orphan = await newUpload(app, user, 'orphan.wav', 10);
  const big = await newUpload(app, user, 'unfinished.wav', config.UPLOAD_PART_BYTES + 1);
  const used = await newUpload(app, user, 'used.wav', 10);
  const fresh = await newUpload(app, user, 'fresh.wav', 10);
  for (const upload of [orphan, used, fresh]) t.equal((await put(upload, new Uint8Array(10))).status, 200);
  t.equal((await fetch(big.parts![0]!.url, { method: 'PUT', body: new Blob([new Uint8Array(config.UPLOAD_PART_BYTES)]) })).status, 200);
  const task = await createTask(app, user, { uploadId: used.uploadId, newFormat: 'mp3' });
  t.equal(task.statusCode, 201);

  const longAgo = new Date(Date.now() - 24 * 3600_000);
  await db.upload.updateMany({ where: { id: { in: [orphan.uploadId, big.uploadId, used.uploadId] } }, data: { expiresAt: longAgo } });
  t.equal(await sweepExpiredUploads(db, s3, config.S3_BUCKET), 3);
  t.same(await userObjects(user.id), [uploadKey(user.id, fresh.uploadId, 'wav'), uploadKey(user.id, used.uploadId, 'wav')].sort(), 'the orphan is gone; the task’s file and the fresh upload stay');
  t.same((await db.upload.findMany({ where: { userId: user.id }, select: { id: true } })).map((u) => u.id), [fresh.uploadId], 'expired records are gone');
  const lateSecondPart = await fetch(big.parts![1]!.url, { method: 'PUT', body: new Blob([new Uint8Array(1)]) });
  t.equal(lateSecondPart.status, 404, 'the unfinished multipart upload was aborted');
  t.equal((await createTask(app, user, { uploadId: orphan.uploadId, newFormat: 'mp3' })).statusCode, 404, 'a swept upload is unknown');
});

t.test('POST /api/tasks in another body type still says what to send', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const response = await app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, 'content-type': 'text/plain' }, payload: 'newFormat=mp3' });
  t.equal(response.statusCode, 415);
  t.match(response.json().message, /multipart\/form-data .* or JSON \{uploadId, newFormat\}/);
});

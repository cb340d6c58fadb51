import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { requeueUnsent } from '../../src/tasks/enqueue.ts';
import { createSqs } from '../../src/queue/sqs.ts';
import { createMessageSender } from '../../src/queue/send-message.ts';
import { build, multipart, postUpload, signUp } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { freshDatabase, testConfig } from '../helpers/env.ts';
import { userObjects } from '../helpers/s3.ts';

t.test('upload → list → get → PUT → DELETE with the original form fields', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav');

  const empty = await app.inject({ url: '/api/tasks', headers: user.headers });
  t.equal(empty.statusCode, 200);
  t.same(empty.json(), [], 'no tasks is an empty array');

  const first = await postUpload(app, user, [['newFormat', 'mp3'], ['fileName', wav, 'song.wav']]);
  t.equal(first.statusCode, 201, first.body);
  t.match(first.json(), {
    id: Number, fileName: 'song.wav', sourceFormat: 'wav', targetFormat: 'mp3', status: 'uploaded', options: {}, progress: 0,
    inputBytes: wav.length, outputBytes: null, statusReason: null, links: { original: /\/original$/, converted: null },
  });
  t.equal(first.headers.location, `/api/tasks/${first.json().id}`);
  t.same(await userObjects(user.id), [`users/${user.id}/tasks/${first.json().id}/original.wav`], 'the S3 key is made of ids');

  const second = await postUpload(app, user, [['fileName', wav, 'Other Name.WAV'], ['newFormat', 'ACC'], ['bitrate', '128k'], ['channels', '1']]);
  t.equal(second.statusCode, 201, 'newFormat may follow the file');
  t.match(second.json(), { targetFormat: 'aac', sourceFormat: 'wav', options: { bitrate: 128, channels: 1 } });

  const asc = (await app.inject({ url: '/api/tasks', headers: user.headers })).json();
  t.same(asc.map((x: { id: number }) => x.id), [first.json().id, second.json().id]);
  const desc = (await app.inject({ url: '/api/tasks?max=1&order=1', headers: user.headers })).json();
  t.same(desc.map((x: { id: number }) => x.id), [second.json().id]);

  const id = first.json().id;
  const got = await app.inject({ url: `/api/tasks/${id}`, headers: user.headers });
  t.equal(got.statusCode, 200);
  t.notOk('inputKey' in got.json() || 'userId' in got.json() || 'version' in got.json(), 'no internal fields');

  const putBody = await multipart([['newFormat', 'flac']]);
  const put = await app.inject({ method: 'PUT', url: `/api/tasks/${id}`, headers: { ...user.headers, ...putBody.headers }, payload: putBody.payload });
  t.equal(put.statusCode, 200, put.body);
  t.match(put.json(), { targetFormat: 'flac', status: 'uploaded' });
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  t.match(await db.task.findUnique({ where: { id } }), { version: 2, enqueuedAt: Date });

  const del = await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).statusCode, 404);
  t.same(await userObjects(user.id), [`users/${user.id}/tasks/${second.json().id}/original.wav`], 'its file is gone, the other stays');
});

t.test("another user's tasks are 404 everywhere", async (t) => {
  const app = await build(t);
  const owner = await signUp(app);
  const other = await signUp(app);
  const task = (await postUpload(app, owner, [['fileName', await audioBytes('wav'), 'mine.wav'], ['newFormat', 'ogg']])).json();
  const requests = [
    { method: 'GET', url: `/api/tasks/${task.id}` },
    { method: 'PUT', url: `/api/tasks/${task.id}`, payload: { newFormat: 'mp3' } },
    { method: 'DELETE', url: `/api/tasks/${task.id}` },
    { method: 'GET', url: `/api/tasks/${task.id}/original` },
    { method: 'GET', url: `/api/tasks/${task.id}/converted` },
    { method: 'GET', url: '/api/files/mine.wav' },
  ] as const;
  for (const request of requests) {
    const response = await app.inject({ ...request, headers: other.headers });
    t.equal(response.statusCode, 404, `${request.method} ${request.url}`);
    t.match(response.json(), { statusCode: 404, error: 'Not Found', message: /was not found/ });
  }
  t.same((await app.inject({ url: '/api/tasks', headers: other.headers })).json(), []);
  t.equal((await app.inject({ url: `/api/tasks/${task.id}`, headers: owner.headers })).statusCode, 200, 'still there for its owner');
});

t.test('bad uploads get a 4xx that says what to fix, and leave nothing behind', async (t) => {
  const app = await build(t, { MAX_UPLOAD_BYTES: String(64 * 1024) });
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const cases: Array<[string, Parameters<typeof multipart>[0], number, RegExp]> = [
    ['too large', [['newFormat', 'mp3'], ['fileName', Buffer.alloc(200 * 1024, 1), 'big.wav']], 413, /larger than the upload limit of 65536 bytes/],
    ['not an audio extension', [['newFormat', 'mp3'], ['fileName', Buffer.from('hello'), 'notes.txt']], 415, /"notes.txt" is not an audio file/],
    ['unknown target', [['newFormat', 'xyz'], ['fileName', wav.subarray(0, 1000), 'a.wav']], 400, /newFormat "xyz" is not supported; choose one of mp3/],
    ['unknown target after the file', [['fileName', wav.subarray(0, 1000), 'a.wav'], ['newFormat', 'xyz']], 400, /newFormat "xyz" is not supported/],
    ['no target', [['fileName', wav.subarray(0, 1000), 'a.wav']], 400, /newFormat is required/],
    ['empty file', [['newFormat', 'mp3'], ['fileName', Buffer.alloc(0), 'a.wav']], 400, /"a.wav" is empty/],
    ['no file', [['newFormat', 'mp3']], 400, /No file/],
    ['wrong file field', [['newFormat', 'mp3'], ['file', wav.subarray(0, 1000), 'a.wav']], 400, /field "fileName", not "file"/],
    ['bitrate for lossless', [['newFormat', 'flac'], ['bitrate', '128'], ['fileName', wav.subarray(0, 1000), 'a.wav']], 400, /bitrate does not apply to flac/],
    ['bitrate out of range', [['fileName', wav.subarray(0, 1000), 'a.wav'], ['newFormat', 'mp3'], ['bitrate', '999']], 400, /between 32 and 320/],
    ['bad sample rate', [['fileName', wav.subarray(0, 1000), 'a.wav'], ['newFormat', 'opus'], ['sampleRate', '44100']], 400, /sampleRate for opus must be one of 8000/],
    ['bad channels', [['fileName', wav.subarray(0, 1000), 'a.wav'], ['newFormat', 'mp3'], ['channels', 'two']], 400, /channels must be a whole number/],
    ['two files', [['newFormat', 'mp3'], ['fileName', wav.subarray(0, 1000), 'a.wav'], ['fileName', wav.subarray(0, 1000), 'b.wav']], 400, /one file per request/],
  ];
  for (const [name, parts, status, message] of cases) {
    const response = await postUpload(app, user, parts);
    t.equal(response.statusCode, status, `${name}: ${response.body}`);
    t.match(response.json(), { statusCode: status, message }, name);
  }
  const json = await app.inject({ method: 'POST', url: '/api/tasks', headers: user.headers, payload: { newFormat: 'mp3' } });
  t.equal(json.statusCode, 400, 'JSON names a direct upload');
  t.match(json.json().message, /uploadId/);
  t.same(await userObjects(user.id), [], 'no object left in S3');
  t.same((await app.inject({ url: '/api/tasks', headers: user.headers })).json(), [], 'no task row');
});

t.test('bad task requests: ids, queries and PUT bodies', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const task = (await postUpload(app, user, [['fileName', await audioBytes('wav'), 'x.wav'], ['newFormat', 'mp3']])).json();
  const checks: Array<[string, string, unknown, number, RegExp]> = [
    ['GET', '/api/tasks/abc', undefined, 400, /id must be integer/],
    ['GET', '/api/tasks?max=0', undefined, 400, /max must be >= 1/],
    ['GET', '/api/tasks?order=2', undefined, 400, /order/],
    ['PUT', `/api/tasks/${task.id}`, { newFormat: 'doc' }, 400, /"doc" is not supported/],
    ['PUT', `/api/tasks/${task.id}`, {}, 400, /newFormat/],
    ['PUT', '/api/tasks/999999', { newFormat: 'mp3' }, 404, /Task 999999 was not found/],
    ['DELETE', '/api/tasks/999999', undefined, 404, /not found/],
    ['GET', `/api/tasks/${task.id}/converted`, undefined, 409, /has no converted file yet \(status uploaded\)/],
    ['GET', '/api/files/nothing.wav', undefined, 404, /A file named "nothing.wav" was not found/],
  ];
  for (const [method, url, payload, status, message] of checks) {
    const response = await app.inject({ method: method as 'GET', url, headers: user.headers, ...(payload ? { payload: payload as object } : {}) });
    t.equal(response.statusCode, status, `${method} ${url}: ${response.body}`);
    t.match(response.json().message, message);
  }
});

t.test('S3 down: 503, and no task row', async (t) => {
  const app = await build(t, { S3_BUCKET: 'no-such-bucket-here' });
  const user = await signUp(app);
  const response = await postUpload(app, user, [['newFormat', 'mp3'], ['fileName', await audioBytes('wav'), 'a.wav']]);
  t.equal(response.statusCode, 503, response.body);
  t.match(response.json().message, /unavailable; nothing was changed/);
  t.same((await app.inject({ url: '/api/tasks', headers: user.headers })).json(), []);
});

t.test('database failing after the upload: 503 and the S3 object is removed', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const broken = await build(t, { DATABASE_URL: await freshDatabase(t) }); // same secret, no tables
  const response = await postUpload(broken, user, [['newFormat', 'mp3'], ['fileName', await audioBytes('wav'), 'a.wav']]);
  t.ok(response.statusCode >= 500, `${response.statusCode}: ${response.body}`);
  t.notMatch(response.body, /tasks|relation|prisma/i, 'nothing internal in the body');
  t.same(await userObjects(user.id), [], 'no orphan object');
});

t.test('queue down: the task is kept and the sweeper sends it later', async (t) => {
  const config = testConfig();
  const app = await build(t, { SQS_QUEUE_URL: `${config.SQS_QUEUE_URL}-missing` });
  const user = await signUp(app);
  const response = await postUpload(app, user, [['newFormat', 'mp3'], ['fileName', await audioBytes('wav'), 'a.wav']]);
  t.equal(response.statusCode, 201, 'the upload is safe in S3 and the database');
  const db = createDatabase(config.DATABASE_URL);
  const sqs = createSqs(config);
  t.teardown(() => (db.$disconnect(), sqs.destroy()));
  const id = response.json().id;
  t.match(await db.task.findUnique({ where: { id } }), { enqueuedAt: null });

  // A queue of its own, so no other test's messages are read.
  const queueUrl = `${config.SQS_QUEUE_URL}-sweeper-${id}`;
  const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
  await sqs.send(new CreateQueueCommand({ QueueName: queueUrl.split('/').pop()! }));
  const send = createMessageSender(config, sqs);
  t.teardown(() => send.close());
  t.equal(await requeueUnsent(db, send, queueUrl, 60_000), 0, 'a fresh task is given time');
  await db.task.update({ where: { id }, data: { updatedAt: new Date(Date.now() - 120_000) } });
  t.ok((await requeueUnsent(db, send, queueUrl, 60_000)) >= 1);
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  t.ok(received.Messages?.some((m) => m.Body === JSON.stringify({ taskId: id, version: 1 })), 'the message arrived');
  t.type((await db.task.findUnique({ where: { id } }))?.enqueuedAt, Date);
});

// Deliveries to real receivers: signed (checked with the library), retried while the receiver
// is down, the same webhook-id on every attempt, given up and the endpoint disabled at last.
import { Webhook } from 'standardwebhooks';
import t, { type Test } from 'tap';
import type { Config } from '../../src/config.ts';
import { processTask } from '../../src/worker/process-task.ts';
import { deliverDue, webhookSender } from '../../src/worker/webhook-deliveries.ts';
import { build, postUpload, signUp, uploadTask, type App, type TestUser } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { isolatedDatabase } from '../helpers/env.ts';
import { startReceiver, type Received } from '../helpers/receiver.ts';
import { emailsTo } from '../helpers/mail.ts';
import { waitFor, workerDeps } from '../helpers/worker.ts';

const signal = () => new AbortController().signal;
const NOT_AUDIO = Buffer.from('not audio '.repeat(50));

async function setup(t: Test, overrides: Partial<Record<keyof Config, string>> = {}) {
  const env = { DATABASE_URL: await isolatedDatabase(t), WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_BASE_SECONDS: '0.2', ...overrides };
  const app = await build(t, env);
  const deps = await workerDeps(t, env);
  const sender = webhookSender(deps);
  t.teardown(() => sender.close());
  const user = await signUp(app);
  const deliver = () => deliverDue(deps, sender);
  return { app, deps, user, deliver };
}

async function register(app: App, user: TestUser, url: string, events?: string[]) {
  const response = await app.inject({ method: 'POST', url: '/api/webhooks', headers: user.headers, payload: { url, events } });
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json<{ id: number; secret: string }>();
}

const deliveries = async (app: App, user: TestUser, taskId: number) =>
  (await app.inject({ url: `/api/tasks/${taskId}/deliveries`, headers: user.headers })).json<Array<Record<string, unknown>>>();

const verify = (secret: string, message: Received) => new Webhook(secret).verify(message.body, message.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };

t.test('a finished task is POSTed, signed; the receiver verifies it with the library', async (t) => {
  const { app, deps, user, deliver } = await setup(t);
  const receiver = await startReceiver(t);
  const failedOnly = await startReceiver(t);
  const endpoint = await register(app, user, receiver.url);
  await register(app, user, failedOnly.url, ['task.failed']);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'song.wav', [['newFormat', 'mp3']]);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, signal()), 'processed');
  t.equal(await deliver(), 1, 'one delivery: the other endpoint wants task.failed only');
  t.equal(receiver.received.length, 1);
  const [message] = receiver.received as [Received];
  t.match(message.headers, { 'webhook-id': /^msg_[0-9a-f]{32}$/, 'webhook-timestamp': /^\d{10}$/, 'webhook-signature': /^v1,/, 'content-type': 'application/json' });
  const payload = verify(endpoint.secret, message);
  const { urls, ...task } = (await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).json();
  t.ok(urls, 'the API adds presigned URLs');
  t.equal(payload.type, 'task.processed');
  // updatedAt moves on after the event (the email claim writes the row): compare the rest. The
  // presigned `urls` expire within minutes, before a retried delivery may arrive: not sent.
  t.same({ ...payload.data, updatedAt: undefined }, { ...task, updatedAt: undefined }, 'the payload is the task as the API shows it, without presigned URLs');
  t.throws(() => new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(message.body, message.headers as Record<string, string>), 'another secret does not verify');
  t.throws(() => verify(endpoint.secret, { ...message, body: message.body.replace('processed', 'failed') }), 'a changed body does not verify');

  t.equal(await deliver(), 0, 'nothing is sent twice');
  t.match(await deliveries(app, user, id), [{ webhookId: message.headers['webhook-id'], event: 'task.processed', status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, deliveredAt: String, nextAttemptAt: null }]);
  t.equal(failedOnly.received.length, 0);
});

t.test('retried with backoff while the receiver is down, then delivered; every attempt has the same webhook-id', async (t) => {
  const { app, deps, user, deliver } = await setup(t, { WEBHOOK_RETRY_BASE_SECONDS: '2' });
  // The delay counts from the end of an attempt; lastAttemptAt is its start, so allow for its length.
  const delay = (row: Record<string, string>) => Date.parse(row.nextAttemptAt!) - Date.parse(row.lastAttemptAt!);
  const probe = await startReceiver(t);
  await probe.close(); // a port nothing listens on: the receiver is down
  const endpoint = await register(app, user, probe.url);
  const id = await uploadTask(app, user, NOT_AUDIO, 'fake.mp3', [['newFormat', 'wav']]);
  t.equal(await processTask(deps, { taskId: id, version: 1 }, signal()), 'failed');

  await deliver();
  const [down] = (await deliveries(app, user, id)) as [Record<string, string>];
  t.match(down, { status: 'pending', attempts: 1, lastStatusCode: null, lastError: /ECONNREFUSED/ });
  t.ok(delay(down) >= 2000 && delay(down) < 3500, `first retry after the base delay of 2 s (${delay(down)} ms)`);
  t.equal(await deliver(), 0, 'not retried before its time');

  // Back up, but the first answer is a 500 (the receiver stored it, then crashed): a duplicate follows.
  const receiver = await startReceiver(t, (res, index) => res.writeHead(index === 0 ? 500 : 200).end(index === 0 ? 'oops' : 'ok'), probe.port);
  await waitFor('the second attempt', async () => (await deliver(), receiver.received.length >= 1), 10_000);
  const [afterError] = (await deliveries(app, user, id)) as [Record<string, string>];
  t.match(afterError, { status: 'pending', attempts: 2, lastStatusCode: 500, lastError: 'HTTP 500: oops' });
  t.ok(delay(afterError) >= 4000 && delay(afterError) < 5500, `the delay doubles (${delay(afterError)} ms)`);
  await waitFor('the third attempt', async () => (await deliver(), receiver.received.length >= 2), 15_000);

  const [first, second] = receiver.received as [Received, Received];
  t.equal(first.headers['webhook-id'], second.headers['webhook-id'], 'a duplicate carries the same webhook-id');
  t.same(verify(endpoint.secret, first), verify(endpoint.secret, second), 'and the same payload, each signed');
  t.match(await deliveries(app, user, id), [{ status: 'delivered', attempts: 3, lastStatusCode: 200 }]);
});

t.test('given up after WEBHOOK_MAX_ATTEMPTS: the endpoint is disabled and its owner emailed once', async (t) => {
  const { app, deps, user, deliver } = await setup(t, { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_RETRY_BASE_SECONDS: '0' });
  const receiver = await startReceiver(t, (res) => res.writeHead(503).end());
  const endpoint = await register(app, user, receiver.url);
  const ids = [await uploadTask(app, user, NOT_AUDIO, 'a.mp3', [['newFormat', 'wav']]), await uploadTask(app, user, NOT_AUDIO, 'b.mp3', [['newFormat', 'wav']])];
  for (const id of ids) await processTask(deps, { taskId: id, version: 1 }, signal());
  await waitFor('the endpoint to be disabled', async () => (await deliver(), (await app.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).disabledAt));

  const [listed] = (await app.inject({ url: '/api/webhooks', headers: user.headers })).json();
  t.match(listed, { id: endpoint.id, disabledAt: String });
  const logs = await Promise.all(ids.map((id) => deliveries(app, user, id)));
  t.ok(logs.flat().every((d) => d.status === 'failed'), 'no delivery is left pending');
  t.ok(logs.flat().some((d) => /^given up after 2 attempts: HTTP 503/.test(String(d.lastError))), 'the log says why');
  const emails = await waitFor('the email', async () => {
    const found = (await emailsTo(`${user.username}@example.com`)).filter((e) => e.subject === 'Your webhook endpoint was disabled');
    return found.length ? found : null;
  });
  t.equal(emails.length, 1, 'one email');
  t.match(emails[0]!.text, receiver.url);

  const later = await uploadTask(app, user, NOT_AUDIO, 'c.mp3', [['newFormat', 'wav']]);
  await processTask(deps, { taskId: later, version: 1 }, signal());
  t.same(await deliveries(app, user, later), [], 'a disabled endpoint gets no new events');
});

t.test("a task's own webhookUrl gets that task's events, signed with the secret of the upload reply", async (t) => {
  const { app, deps, user, deliver } = await setup(t);
  const receiver = await startReceiver(t);
  const created = await postUpload(app, user, [['newFormat', 'wav'], ['webhookUrl', receiver.url], ['fileName', NOT_AUDIO, 'x.mp3']]);
  t.equal(created.statusCode, 201);
  const { id, webhookSecret } = created.json<{ id: number; webhookSecret: string }>();
  t.match(webhookSecret, /^whsec_/);
  const other = await uploadTask(app, user, NOT_AUDIO, 'y.mp3', [['newFormat', 'wav']]);
  t.notOk('webhookSecret' in (await app.inject({ url: `/api/tasks/${id}`, headers: user.headers })).json(), 'the secret is shown once');
  for (const taskId of [id, other]) await processTask(deps, { taskId, version: 1 }, signal());
  await deliver();
  t.equal(receiver.received.length, 1, 'only its own task');
  t.match(verify(webhookSecret, receiver.received[0]!), { type: 'task.failed', data: { id, status: 'failed', statusReason: String } });
  t.same((await app.inject({ url: '/api/webhooks', headers: user.headers })).json(), [], 'not listed among the endpoints');
  const stranger = await signUp(app);
  t.equal((await app.inject({ url: `/api/tasks/${id}/deliveries`, headers: stranger.headers })).statusCode, 404, "another user's delivery log is not found");
});

// Registering webhook endpoints, and the URLs refused before anything is stored.
import t from 'tap';
import { build, postUpload, signUp } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { userObjects } from '../helpers/s3.ts';

t.test('register, list without the secret, delete; another user sees none of it', async (t) => {
  const app = await build(t, { WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOKS_PER_USER: '2' });
  const [ada, bob] = [await signUp(app), await signUp(app)];
  const created = await app.inject({ method: 'POST', url: '/api/webhooks', headers: ada.headers, payload: { url: 'http://127.0.0.1:9/hook', events: ['task.failed'] } });
  t.equal(created.statusCode, 201);
  const endpoint = created.json<{ id: number; secret: string }>();
  t.match(endpoint, { url: 'http://127.0.0.1:9/hook', events: ['task.failed'], createdAt: String, disabledAt: null, secret: /^whsec_[A-Za-z0-9+/]{32}$/ });
  const listed = (await app.inject({ url: '/api/webhooks', headers: ada.headers })).json<Array<Record<string, unknown>>>();
  t.match(listed, [{ id: endpoint.id, events: ['task.failed'] }]);
  t.notOk('secret' in listed[0]!, 'the secret is shown once');
  t.same((await app.inject({ url: '/api/webhooks', headers: bob.headers })).json(), []);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/webhooks/${endpoint.id}`, headers: bob.headers })).statusCode, 404);

  const both = await app.inject({ method: 'POST', url: '/api/webhooks', headers: ada.headers, payload: { url: 'https://127.0.0.1/x' } });
  t.same(both.json().events, ['task.processed', 'task.failed'], 'both events by default');
  const third = await app.inject({ method: 'POST', url: '/api/webhooks', headers: ada.headers, payload: { url: 'https://127.0.0.1/y' } });
  t.equal(third.statusCode, 409);
  t.match(third.json().message, /2 webhook endpoints/);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/webhooks/${endpoint.id}`, headers: ada.headers })).statusCode, 204);
  t.equal((await app.inject({ url: '/api/webhooks', headers: ada.headers })).json().length, 1);

  const bogus = await app.inject({ method: 'POST', url: '/api/webhooks', headers: ada.headers, payload: { url: 'https://127.0.0.1/z', events: ['task.bogus'] } });
  t.equal(bogus.statusCode, 400);
  t.equal((await app.inject({ method: 'GET', url: '/api/webhooks' })).statusCode, 401);
});

t.test('SSRF: loopback, private, link-local and metadata addresses are refused, also behind a name', async (t) => {
  const app = await build(t); // WEBHOOK_ALLOW_PRIVATE unset, as in production
  const user = await signUp(app);
  const refused: Array<[string, RegExp]> = [
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1.*public addresses/],
    ['http://10.1.2.3/hook', /10\.1\.2\.3/],
    ['http://192.168.1.10/hook', /private/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254/],
    ['http://[::1]/hook', /::1/],
    ['http://[::ffff:127.0.0.1]/hook', /public addresses/],
    ['http://[fd00::1]/hook', /public addresses/],
    ['http://0.0.0.0/hook', /public addresses/],
    ['http://localhost:3000/hook', /localhost resolves to (127\.0\.0\.1|::1)/],
    ['ftp://example.com/file', /http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['not a url', /not a URL/],
    ['http://user:secret@example.com/hook', /user name or password/],
    ['http://no-such-host.invalid/hook', /could not be resolved/],
  ];
  for (const [url, message] of refused) {
    const response = await app.inject({ method: 'POST', url: '/api/webhooks', headers: user.headers, payload: { url } });
    t.equal(response.statusCode, 400, url);
    t.match(response.json(), { error: 'Bad Request', message }, url);
  }
  t.same((await app.inject({ url: '/api/webhooks', headers: user.headers })).json(), [], 'nothing stored');
});

t.test("a task's webhookUrl is checked the same way, and a refused one leaves no task and no file", async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const response = await postUpload(app, user, [['newFormat', 'mp3'], ['webhookUrl', 'http://169.254.169.254/latest/'], ['fileName', await audioBytes('wav', 1), 'a.wav']]);
  t.equal(response.statusCode, 400);
  t.match(response.json().message, /^webhookUrl: 169\.254\.169\.254/);
  t.same((await app.inject({ url: '/api/tasks', headers: user.headers })).json(), []);
  t.same(await userObjects(user.id), []);
});

t.test('the OpenAPI document has the new routes and tells receivers how to verify', async (t) => {
  const app = await build(t);
  const doc = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, { description?: string; security?: unknown }>> }>();
  for (const path of ['/api/webhooks', '/api/webhooks/{id}', '/api/tasks/{id}/deliveries', '/api/keys', '/api/keys/{id}']) t.ok(doc.paths[path], path);
  const register = doc.paths['/api/webhooks']!.post!;
  t.match(register.description, /new Webhook\(secret\)\.verify\(rawBody/);
  t.match(register.description, /from standardwebhooks\.webhooks import Webhook/);
  t.same(register.security, [{ bearer: [] }]);
});

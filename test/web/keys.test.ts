import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { build, signUp } from '../helpers/app.ts';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

t.test('an API key works wherever a login token does, is listed without the key, and is revoked at once', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const created = await app.inject({ method: 'POST', url: '/api/keys', headers: user.headers, payload: { name: 'backup script' } });
  t.equal(created.statusCode, 201);
  const { key, id, prefix } = created.json<{ key: string; id: number; prefix: string }>();
  t.match(key, /^cct_[A-Za-z0-9_-]{43}$/);
  t.equal(prefix, key.slice(0, 12));

  t.equal((await app.inject({ url: '/api/tasks', headers: bearer(key) })).statusCode, 200, 'lists tasks with the key');
  const listed = (await app.inject({ url: '/api/keys', headers: bearer(key) })).json<Array<Record<string, unknown>>>();
  t.match(listed, [{ id, name: 'backup script', prefix, createdAt: String, lastUsedAt: String, expiresAt: null }]);
  t.notOk(JSON.stringify(listed).includes(key), 'the key itself is never listed');
  const row = await app.db.apiKey.findUniqueOrThrow({ where: { id } });
  t.not(row.hash, key, 'stored as a hash');
  t.notOk(row.hash.includes(key.slice(4)), 'no part of the secret is stored');

  t.equal((await app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: user.headers })).statusCode, 204);
  const refused = await app.inject({ url: '/api/tasks', headers: bearer(key) });
  t.equal(refused.statusCode, 401, 'revoked: refused on the next request');
  t.match(refused.json(), { statusCode: 401, error: 'Unauthorized', message: /not valid or was revoked/ });
  t.equal((await app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: user.headers })).statusCode, 404, 'already gone');
});

t.test('an expired key is refused at once, with a message saying so', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const expiresAt = new Date(Date.now() + 1500).toISOString();
  const { key } = (await app.inject({ method: 'POST', url: '/api/keys', headers: user.headers, payload: { name: 'short', expiresAt } })).json<{ key: string }>();
  t.equal((await app.inject({ url: '/api/tasks', headers: bearer(key) })).statusCode, 200, 'works before its expiry');
  await sleep(Date.parse(expiresAt) - Date.now() + 50);
  const refused = await app.inject({ url: '/api/tasks', headers: bearer(key) });
  t.equal(refused.statusCode, 401);
  t.match(refused.json().message, /expired at/);
});

t.test('bad input: past expiry, missing name, unknown key; other users cannot revoke', async (t) => {
  const app = await build(t);
  const [ada, bob] = [await signUp(app), await signUp(app)];
  const past = await app.inject({ method: 'POST', url: '/api/keys', headers: ada.headers, payload: { name: 'x', expiresAt: '2020-01-01T00:00:00Z' } });
  t.equal(past.statusCode, 400);
  t.match(past.json().message, /in the past/);
  t.equal((await app.inject({ method: 'POST', url: '/api/keys', headers: ada.headers, payload: {} })).statusCode, 400);
  t.match((await app.inject({ url: '/api/tasks', headers: bearer('cct_not-a-real-key') })).json(), { statusCode: 401, message: /not valid/ });
  const { id } = (await app.inject({ method: 'POST', url: '/api/keys', headers: ada.headers, payload: { name: 'ada' } })).json<{ id: number }>();
  t.equal((await app.inject({ method: 'DELETE', url: `/api/keys/${id}`, headers: bob.headers })).statusCode, 404, "another user's key is not found");
  t.same((await app.inject({ url: '/api/keys', headers: bob.headers })).json(), []);
  t.equal((await app.inject({ url: '/api/keys' })).statusCode, 401, 'keys need a login');
});

t.test('a user may hold API_KEYS_PER_USER live keys; revoking one makes room', async (t) => {
  const app = await build(t, { API_KEYS_PER_USER: '2' });
  const user = await signUp(app);
  const create = () => app.inject({ method: 'POST', url: '/api/keys', headers: user.headers, payload: { name: 'k' } });
  const [first, second] = [await create(), await create()];
  t.equal(second.statusCode, 201);
  const third = await create();
  t.equal(third.statusCode, 409);
  t.match(third.json().message, /2 live API keys/);
  await app.inject({ method: 'DELETE', url: `/api/keys/${first.json().id}`, headers: user.headers });
  t.equal((await create()).statusCode, 201);
});

// A database that stops answering (frozen, partitioned) or refuses connections: the API
// answers 503 within a bounded time, /ready names the database, and the pool recovers.
import t from 'tap';
import { DATABASE_TIMEOUTS } from '../../src/db/client.ts';
import { build, postUpload, signUp } from '../helpers/app.ts';
import { testConfig } from '../helpers/env.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

async function appBehindProxy(t: Parameters<typeof build>[0]) {
  const url = new URL(testConfig().DATABASE_URL);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  t.teardown(() => proxy.close());
  url.host = `127.0.0.1:${proxy.port}`;
  const app = await build(t, { DATABASE_URL: url.toString() });
  return { app, proxy, user: await signUp(app) };
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await call();
  return { value, ms: Date.now() - started };
}

t.test('a frozen database: 503 within the query timeout, /ready says database, then recovery', async (t) => {
  const { app, proxy, user } = await appBehindProxy(t);
  proxy.freeze();
  const list = await timed(() => app.inject({ method: 'GET', url: '/api/tasks', headers: user.headers }));
  t.equal(list.value.statusCode, 503, list.value.body);
  t.match(list.value.json(), { error: 'Service Unavailable', message: /unavailable/ });
  t.ok(list.ms < DATABASE_TIMEOUTS.queryMs + 2000, `answered in ${list.ms} ms`);
  const ready = await timed(() => app.inject({ method: 'GET', url: '/ready' }));
  t.equal(ready.value.statusCode, 503);
  t.match(ready.value.json(), { status: 'unavailable', checks: { database: /^unreachable/, storage: 'ok', queue: 'ok' } });
  t.ok(ready.ms < 4000, `/ready answered in ${ready.ms} ms`);
  proxy.thaw();
  const again = await app.inject({ method: 'GET', url: '/api/tasks', headers: user.headers });
  t.equal(again.statusCode, 200, 'the pool replaced the connections that timed out');
});

t.test('a database that refuses connections: 503 at once, and recovery when it is back', async (t) => {
  const { app, proxy, user } = await appBehindProxy(t);
  await proxy.stop();
  const list = await timed(() => app.inject({ method: 'GET', url: `/api/tasks/1`, headers: user.headers }));
  t.equal(list.value.statusCode, 503, list.value.body);
  t.ok(list.ms < DATABASE_TIMEOUTS.connectMs + 1000, `answered in ${list.ms} ms`);
  // The list and the upload's task id are raw queries, whose errors Prisma wraps in a P2010 (500s in fault scenario 3).
  t.equal((await app.inject({ method: 'GET', url: '/api/tasks', headers: user.headers })).statusCode, 503, 'the list');
  const upload = await postUpload(app, user, [['newFormat', 'mp3'], ['fileName', Buffer.from('ID3'), 'a.mp3']]);
  t.equal(upload.statusCode, 503, upload.body);
  await proxy.start();
  t.equal((await app.inject({ method: 'GET', url: '/api/tasks', headers: user.headers })).statusCode, 200);
});

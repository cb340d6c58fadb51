// Rate limits shared through Redis (127.0.0.1:6379 on these machines) by every web instance.
import { randomInt } from 'node:crypto';
import t from 'tap';
import { build, type App } from '../helpers/app.ts';
import { freePorts } from '../../src/dev/ports.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A client address of the test's own (the apps trust X-Forwarded-For from loopback), so runs do not share counters. */
const clientAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`;

async function loginAttempts(apps: App[], count: number, address: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const app = apps[i % apps.length]!;
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-for': address }, payload: { username: 'nobody', password: 'wrong' } });
    statuses.push(response.statusCode);
  }
  return statuses;
}

t.test('with RATE_LIMIT_REDIS_URL two instances share one limit', async (t) => {
  const settings = { AUTH_RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_REDIS_URL: REDIS_URL };
  const apps = [await build(t, settings), await build(t, settings)];
  const statuses = await loginAttempts(apps, 6, clientAddress());
  t.same(statuses, [401, 401, 401, 401, 429, 429], 'the fifth attempt is refused, whichever instance gets it');
});

t.test('without it each process counts on its own', async (t) => {
  const apps = [await build(t, { AUTH_RATE_LIMIT_PER_MINUTE: '4' }), await build(t, { AUTH_RATE_LIMIT_PER_MINUTE: '4' })];
  const statuses = await loginAttempts(apps, 8, clientAddress());
  t.same(statuses, Array(8).fill(401), 'two instances allow twice the limit');
});

t.test('Redis unreachable: requests are served, not failed', async (t) => {
  const [port] = (await freePorts(1)) as [number];
  const app = await build(t, { AUTH_RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_REDIS_URL: `redis://127.0.0.1:${port}` });
  const statuses = await loginAttempts([app], 3, clientAddress());
  t.same(statuses, [401, 401, 401]);
});

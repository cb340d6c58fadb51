// Scenario 9: rate limits through nginx across both web processes, shared through Redis
// (127.0.0.1:6379 on these machines; FAULT_REDIS_URL to use another).
import { randomInt } from 'node:crypto';
import t from 'tap';
import { reportFigures } from './figures.ts';
import { startFaultStack } from './harness.ts';

const LIMIT = 10;
const REDIS_URL = process.env.FAULT_REDIS_URL ?? 'redis://127.0.0.1:6379';

t.test('through nginx, two web processes enforce one shared limit', async (t) => {
  const stack = await startFaultStack(t, { webs: 2, nginx: true, env: { AUTH_RATE_LIMIT_PER_MINUTE: String(LIMIT), RATE_LIMIT_REDIS_URL: REDIS_URL } });
  // nginx passes the client's address on; the web processes trust it from loopback. An address of the run's own keeps counters apart.
  const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(256)}`;
  const statuses: number[] = [];
  const started = Date.now();
  for (let i = 0; i < LIMIT * 2; i++) {
    const response = await fetch(`${stack.front}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username: 'nobody', password: 'wrong' }),
    });
    statuses.push(response.status);
    await response.arrayBuffer();
  }
  const allowed = statuses.filter((s) => s === 401).length;
  const limited = statuses.filter((s) => s === 429).length;
  reportFigures(t, {
    scenario: `9 rate limit ${LIMIT}/min, 2 web processes behind nginx, Redis`,
    submitted: statuses.length,
    processed: 0,
    failedWithReason: 0,
    lost: 0,
    emailsPerTask: '-',
    http5xx: statuses.filter((s) => s >= 500).length,
    recoverSeconds: 0,
    notes: `${allowed} allowed, ${limited} answered 429 in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  });
  t.equal(allowed, LIMIT, 'the limit holds across both processes (per process it would allow twice as many)');
  t.equal(limited, LIMIT);
});

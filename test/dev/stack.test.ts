import { readFileSync } from 'node:fs';
import t from 'tap';
import { PROCESS_MEMORY_ENV } from '../../src/process-memory.ts';
import { startStack } from '../../src/dev/stack.ts';
import { findNginx } from '../../src/dev/nginx.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { isListening } from '../helpers/ports.ts';

t.test('the embedded stack boots everything, answers through nginx, and leaves nothing behind', async (t) => {
  const [web1, web2, nginx, worker, s3, ses] = (await freePorts(6)) as [number, number, number, number, number, number];
  const ports = { web: [web1, web2], nginx, worker, s3, ses, postgres: 0 };
  // Only the database comes from the run; the stack starts its own emulators.
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: 'warn' };
  const lines: string[] = [];
  const stack = await startStack({ env, ports, log: (line) => lines.push(line) });
  let stopped = false;
  t.teardown(() => (stopped ? undefined : stack.stop()));

  for (const port of [web1, web2]) {
    t.same(await (await fetch(`http://127.0.0.1:${port}/health`)).json(), { status: 'ok' }, `web on ${port} is alive`);
  }
  t.equal((await fetch(`http://127.0.0.1:${worker}/health`)).status, 200, 'worker is alive');
  if (findNginx()) {
    const ready = await fetch(`http://127.0.0.1:${nginx}/ready`);
    t.equal(ready.status, 200, 'ready through nginx');
    t.same(await ready.json(), { status: 'ready', checks: { database: 'ok', storage: 'ok', queue: 'ok' } });
  }
  for (const [label, pid] of Object.entries(stack.pids)) {
    const environ = new Map(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    // The environment's own node options (here tap's, which quotes each) are kept beside ours.
    for (const [key, value] of Object.entries(PROCESS_MEMORY_ENV)) t.ok(value.split(' ').every((part) => environ.get(key)?.includes(part)), `${label}: ${key}`);
  }
  t.equal((await fetch(`${stack.env.AWS_ENDPOINT_URL_SES}/store`)).status, 200, 'SES store reachable');
  t.equal(stack.urls[`web:${web1}`], `http://127.0.0.1:${web1}`);
  const script = await fetch(`http://127.0.0.1:${web2}/main.js`);
  t.equal(script.status, 200, 'the stack bundled the UI before starting the web processes');
  t.match(await script.text(), /flac/);

  await stack.stop();
  stopped = true;
  for (const port of [web1, web2, nginx, worker, s3, ses]) t.notOk(await isListening(port), `port ${port} closed`);
});

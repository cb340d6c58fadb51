import type { Test } from 'tap';
import { startStack, type Stack } from '../../src/dev/stack.ts';
import { freePorts } from '../../src/dev/ports.ts';

/** The whole embedded stack on free ports, stopped when t ends. The database and the UI bundle come from the run; it starts its own emulators. */
export async function startTestStack(t: Test): Promise<Stack> {
  const [web1, web2, nginx, worker, s3, ses] = (await freePorts(6)) as [number, number, number, number, number, number];
  const stack = await startStack({
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: process.env.DATABASE_URL, UI_DIR: process.env.UI_DIR, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' },
    ports: { web: [web1, web2], nginx, worker, s3, ses, postgres: 0 },
    log: () => {},
  });
  t.teardown(() => stack.stop());
  return stack;
}

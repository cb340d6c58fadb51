// What test/run.ts set up for this run, and fresh databases for tests that need their own.
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import { loadConfig, type Config } from '../../src/config.ts';
import { dropDatabase, ensureDatabase } from '../../src/dev/services.ts';

export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/** An empty database on the run's PostgreSQL server, dropped when t ends. */
export async function freshDatabase(t: Test): Promise<string> {
  const server = process.env.TEST_DATABASE_SERVER_URL;
  if (!server) throw new Error('run the tests with `npm test`: it starts PostgreSQL and the emulators');
  const name = `cct_fresh_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(server, name);
  t.teardown(() => dropDatabase(server, name));
  return url;
}

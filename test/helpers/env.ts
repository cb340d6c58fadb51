// What test/run.ts set up for this run, and fresh databases for tests that need their own.
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { migrate } from '../../src/db/migrate.ts';
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

/**
 * A migrated database of the test's own, for tests whose sweeps act on every row (expiry,
 * webhook delivery). Ids start at a random offset, so S3 keys (made of ids) do not collide
 * with those of the run's database in the shared bucket.
 */
export async function isolatedDatabase(t: Test): Promise<string> {
  const url = await freshDatabase(t);
  await migrate(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const start = 100_000_000 + Math.floor(Math.random() * 1_000_000_000);
  await client.query(`ALTER SEQUENCE users_id_seq RESTART WITH ${start}; ALTER SEQUENCE tasks_id_seq RESTART WITH ${start}`);
  await client.end();
  return url;
}

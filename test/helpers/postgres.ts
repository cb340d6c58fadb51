// A PostgreSQL server that checks passwords, for tests of logins. The run's server may
// trust every local connection (the machine's server here does); then an embedded one
// with password authentication is started for the test.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.ts';
import { freePorts } from '../../src/dev/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

export function withCredentials(url: string, user: string, password = ''): string {
  const next = new URL(url);
  next.username = encodeURIComponent(user);
  next.password = encodeURIComponent(password);
  return next.toString();
}

/** Whether `serverUrl` refuses a login with a wrong password. */
async function checksPasswords(serverUrl: string): Promise<boolean> {
  const role = `cct_probe_${randomBytes(4).toString('hex')}`;
  await sql(serverUrl, `CREATE ROLE ${role} LOGIN PASSWORD 'right'`);
  try {
    await sql(withCredentials(serverUrl, role, 'wrong'), 'SELECT 1');
    return false;
  } catch {
    return true;
  } finally {
    await sql(serverUrl, `DROP ROLE ${role}`);
  }
}

/**
 * The superuser URL of a server that checks passwords: the run's own one when it does,
 * else an embedded one in .data/test-<name>-postgres (one per test file: they run at once).
 */
export async function passwordCheckingServer(t: Test, name: string): Promise<string> {
  const server = process.env.TEST_DATABASE_SERVER_URL;
  if (!server) throw new Error('run the tests with `npm test`: it starts PostgreSQL and the emulators');
  if (await checksPasswords(server)) return server;
  const [port] = await freePorts(1);
  const embedded = await startEmbeddedPostgres(`${ROOT}.data/test-${name}-postgres`, port!);
  t.teardown(embedded.stop);
  return embedded.url;
}

/** A login role with `password`, dropped when t ends. */
export async function loginRole(t: Test, serverUrl: string, password: string): Promise<string> {
  const role = `cct_login_${randomBytes(4).toString('hex')}`;
  await sql(serverUrl, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  t.teardown(() => sql(serverUrl, `DROP ROLE IF EXISTS ${role}`).then(() => undefined));
  return role;
}

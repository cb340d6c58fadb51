// The errors of a database that goes away under a running query, as a restart does
// (fault scenario 3 saw them answered 500): each must read as "unavailable", whether the
// query was a raw one (Prisma wraps the driver's error in a P2010) or a model query.
import pg from 'pg';
import t from 'tap';
import { createDatabase, isDatabaseUnavailable } from '../../src/db/client.ts';
import { isolatedDatabase } from '../helpers/env.ts';

/** Runs query on a fresh client and, once its backend waits on the lock, terminates that backend as a shutdown does. */
async function errorOfTerminatedQuery(t: Parameters<typeof isolatedDatabase>[0], url: string, query: (db: ReturnType<typeof createDatabase>) => Promise<unknown>) {
  const db = createDatabase(url);
  t.teardown(() => db.$disconnect());
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  t.teardown(() => admin.end());
  await admin.query('BEGIN');
  await admin.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE'); // the query waits here, on the server
  const failed = query(db).then(() => null, (error: unknown) => error);
  // pg_stat_activity is read once per transaction: its own statement each time, outside admin's.
  const killer = new pg.Client({ connectionString: url });
  await killer.connect();
  t.teardown(() => killer.end());
  for (let terminated = 0, tries = 0; terminated === 0; tries++) {
    if (tries > 1000) throw new Error('the query never waited on the lock');
    const { rowCount } = await killer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    terminated = rowCount ?? 0;
  }
  await admin.query('ROLLBACK');
  return (await failed) as { code?: string; message?: string };
}

t.test('a raw query whose backend is terminated (57P01 inside a P2010)', async (t) => {
  const url = await isolatedDatabase(t);
  const error = await errorOfTerminatedQuery(t, url, (db) => db.$queryRaw`SELECT count(*) FROM tasks`);
  t.match(error, { code: 'P2010', message: /57P01|terminat/ });
  t.ok(isDatabaseUnavailable(error), 'unavailable');
});

t.test('a model query whose backend is terminated', async (t) => {
  const url = await isolatedDatabase(t);
  const error = await errorOfTerminatedQuery(t, url, (db) => db.task.findMany());
  t.ok(error, 'the query failed');
  t.ok(isDatabaseUnavailable(error), `unavailable: ${error.message}`);
});

t.test('errors that are the request\'s fault stay so', async (t) => {
  const url = await isolatedDatabase(t);
  const db = createDatabase(url);
  t.teardown(() => db.$disconnect());
  const error = await db.$queryRaw`SELECT 1/0`.then(() => null, (e: unknown) => e as { code?: string });
  t.match(error, { code: 'P2010' });
  t.notOk(isDatabaseUnavailable(error!), 'division by zero is not an outage');
});

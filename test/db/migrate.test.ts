import { cp, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.ts';
import { freshDatabase } from '../helpers/env.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Every migration folder, in the order they apply. */
const ALL = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();

async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cct-migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

t.test('a fresh database gets every migration, recorded the way Prisma records it', async (t) => {
  const url = await freshDatabase(t);
  const applied = await migrate(url);
  t.same(applied, ALL);
  t.equal(ALL[0], '20261126000000_init');
  const rows = await query<{ migration_name: string; checksum: string; finished_at: Date; applied_steps_count: number }>(
    url,
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
  t.equal(rows.length, ALL.length);
  for (const [i, name] of ALL.entries()) {
    t.match(rows[i], { migration_name: name, checksum: /^[0-9a-f]{64}$/, applied_steps_count: 1 });
    t.type(rows[i]!.finished_at, Date);
  }
  const tables = await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  t.same(tables.map((r) => r.tablename), ['_prisma_migrations', 'api_keys', 'tasks', 'uploads', 'users', 'webhook_deliveries', 'webhook_endpoints']);
});

t.test('a second run applies nothing and changes nothing', async (t) => {
  const url = await freshDatabase(t);
  await migrate(url);
  const before = await query(url, 'SELECT * FROM _prisma_migrations');
  t.same(await migrate(url), []);
  t.same(await query(url, 'SELECT * FROM _prisma_migrations'), before);
});

t.test('two concurrent runs apply each migration exactly once', async (t) => {
  const url = await freshDatabase(t);
  const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
  t.same(results.flat().sort(), ALL);
  const [{ count }] = (await query<{ count: string }>(url, 'SELECT count(*) FROM _prisma_migrations')) as [{ count: string }];
  t.equal(count, String(ALL.length));
});

t.test('a changed, already applied migration is refused with a clear message', async (t) => {
  const url = await freshDatabase(t);
  const dir = await copyOfMigrations();
  await migrate(url, dir);
  await writeFile(join(dir, '20261126000000_init', 'migration.sql'), '-- edited\n', { flag: 'a' });
  await t.rejects(migrate(url, dir), { name: 'MigrationError', message: /20261126000000_init was changed after it was applied/ });
});

t.test('a failing migration is rolled back, logged, and blocks later runs', async (t) => {
  const url = await freshDatabase(t);
  const dir = await copyOfMigrations();
  await migrate(url, dir);
  await cp(join(dir, '20261126000000_init'), join(dir, '20261127000000_broken'), { recursive: true });
  await writeFile(join(dir, '20261127000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
  await t.rejects(migrate(url, dir), { message: /20261127000000_broken failed and was rolled back: .*no_such_table/ });
  t.same(await query(url, "SELECT tablename FROM pg_tables WHERE tablename = 'half_done'"), [], 'nothing half-written');
  const [row] = await query<{ logs: string; finished_at: Date | null }>(url, "SELECT logs, finished_at FROM _prisma_migrations WHERE migration_name = '20261127000000_broken'");
  t.match(row, { logs: /no_such_table/, finished_at: null });
  await t.rejects(migrate(url, dir), { message: /failed earlier and is recorded as unfinished/ });
});

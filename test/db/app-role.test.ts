// The app's database role (migration 20261201120000_app_role, src/db/app-login.ts): rows
// only, no DDL, made and re-keyed by the master user.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ensureAppLogin } from '../../src/db/app-login.ts';
import { migrate } from '../../src/db/migrate.ts';
import { ensureDatabase, dropDatabase } from '../../src/dev/services.ts';
import { passwordCheckingServer, sql, withCredentials } from '../helpers/postgres.ts';

const server = await passwordCheckingServer(t, 'app-role');
const databaseName = `cct_app_role_${randomBytes(4).toString('hex')}`;
const database = await ensureDatabase(server, databaseName);
t.teardown(() => dropDatabase(server, databaseName));
const user = `cct_app_login_${randomBytes(4).toString('hex')}`;
t.teardown(() => sql(server, `DROP ROLE IF EXISTS ${user}`).then(() => undefined));
const passwordFile = join(await mkdtemp(join(tmpdir(), 'cct-app-login-')), 'password');
const asApp = (password: string) => withCredentials(database, user, password);

t.test('migrations in two databases at once both end with the group role', async (t) => {
  const other = `cct_app_role_${randomBytes(4).toString('hex')}`;
  const otherUrl = await ensureDatabase(server, other);
  t.teardown(() => dropDatabase(server, other));
  await Promise.all([migrate(database), migrate(otherUrl)]);
  const { rows } = await sql(server, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'cct_app'");
  t.same(rows, [{ rolcanlogin: false }]);
});

t.test('the master user makes the login role with the password in the file', async (t) => {
  await writeFile(passwordFile, 'first-password\n');
  await ensureAppLogin(database, user, passwordFile);
  const { rows } = await sql(asApp('first-password'), 'SELECT current_user AS name');
  t.same(rows, [{ name: user }]);
});

t.test('the app role reads and writes rows', async (t) => {
  const app = asApp('first-password');
  const name = `role-${randomBytes(4).toString('hex')}`;
  const { rows } = await sql(app, `INSERT INTO users (username, email, password_hash) VALUES ($1, $1 || '@example.com', 'x') RETURNING id`, [name]);
  const id = (rows[0] as { id: number }).id;
  await sql(app, `INSERT INTO tasks (user_id, file_name, source_format, target_format, input_key, input_bytes, updated_at) VALUES ($1, 'a.wav', 'wav', 'mp3', 'k', 1, now())`, [id]);
  await sql(app, `UPDATE tasks SET progress = 50 WHERE user_id = $1`, [id]);
  t.same((await sql(app, 'SELECT progress FROM tasks WHERE user_id = $1', [id])).rows, [{ progress: 50 }]);
  await sql(app, 'DELETE FROM users WHERE id = $1', [id]);
  t.same((await sql(app, 'SELECT count(*)::int AS n FROM tasks WHERE user_id = $1', [id])).rows, [{ n: 0 }]);
});

t.test('the app role cannot change the schema or read the migrations', async (t) => {
  const app = asApp('first-password');
  await t.rejects(sql(app, 'CREATE TABLE intruder (id int)'), /permission denied/);
  await t.rejects(sql(app, 'DROP TABLE tasks'), /must be owner|permission denied/);
  await t.rejects(sql(app, 'ALTER TABLE users ADD COLUMN x int'), /must be owner|permission denied/);
  await t.rejects(sql(app, 'SELECT * FROM _prisma_migrations'), /permission denied/);
});

t.test('a table made by a later migration is open to the app role too', async (t) => {
  await sql(database, 'CREATE TABLE later_table (id serial PRIMARY KEY, note text)');
  await sql(asApp('first-password'), "INSERT INTO later_table (note) VALUES ('ok')");
  t.same((await sql(asApp('first-password'), 'SELECT note FROM later_table')).rows, [{ note: 'ok' }]);
});

t.test('running it again sets the new password from the file, and the old one is refused', async (t) => {
  await writeFile(passwordFile, 'second-password');
  await ensureAppLogin(database, user, passwordFile);
  t.same((await sql(asApp('second-password'), 'SELECT 1 AS ok')).rows, [{ ok: 1 }]);
  await t.rejects(sql(asApp('first-password'), 'SELECT 1'), /password authentication failed/);
});

t.test('an empty password file is refused before touching the database', async (t) => {
  await writeFile(passwordFile, '');
  await t.rejects(ensureAppLogin(database, user, passwordFile), /password file .* is empty/);
  t.same((await sql(asApp('second-password'), 'SELECT 1 AS ok')).rows, [{ ok: 1 }], 'the password did not change');
});

/** `npm run migrate` as the boot script runs it (node, the CLI, the environment). */
async function migrateCli(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/db/migrate-cli.ts'], { env: { PATH: process.env.PATH, ...env } });
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
  );
}

t.test('npm run migrate with APP_DATABASE_USER and APP_DATABASE_PASSWORD_FILE migrates, then sets the login', async (t) => {
  await writeFile(passwordFile, 'cli-password');
  const result = await migrateCli({ DATABASE_URL: database, APP_DATABASE_USER: user, APP_DATABASE_PASSWORD_FILE: passwordFile });
  t.equal(result.code, 0, result.output);
  t.match(result.output, new RegExp(`Database is up to date[\\s\\S]*Role ${user} can log in`));
  t.same((await sql(asApp('cli-password'), 'SELECT 1 AS ok')).rows, [{ ok: 1 }]);
});

t.test('npm run migrate with only one of the two stops with a message, before migrating', async (t) => {
  const result = await migrateCli({ DATABASE_URL: database, APP_DATABASE_USER: user });
  t.equal(result.code, 1);
  t.match(result.output, /Set both APP_DATABASE_USER and APP_DATABASE_PASSWORD_FILE/);
});

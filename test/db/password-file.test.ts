// The app reads the database password from DATABASE_PASSWORD_FILE and, when the
// database refuses it (a rotation), reads the file again: no restart.
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { loginRole, passwordCheckingServer, sql, withCredentials } from '../helpers/postgres.ts';

const server = await passwordCheckingServer(t, 'password-file');
const passwordFile = join(await mkdtemp(join(tmpdir(), 'cct-password-')), 'password');
const role = await loginRole(t, server, 'first');
await writeFile(passwordFile, 'first\n'); // the trailing newline an editor leaves is not part of it

const db = createDatabase(withCredentials(server, role), { poolSize: 1, passwordFile });
t.teardown(() => db.$disconnect());
const whoAmI = async () => ((await db.$queryRawUnsafe('SELECT current_user AS name')) as Array<{ name: string }>)[0]?.name;
/** Closes the pool's open connection from the server side, so the next query opens a new one. */
const dropConnections = () => sql(server, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
const setPassword = (password: string) => sql(server, `ALTER ROLE ${role} PASSWORD '${password}'`);
/** whoAmI after dropConnections: a pooled connection the server just terminated may answer first (57P01); the next one logs in anew. */
const whoAmIAfterDrop = async () => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await whoAmI();
    } catch (error) {
      if (attempt > 3 || !String(error).includes('57P01')) throw error;
    }
  }
};

t.test('logs in with the password from the file', async (t) => {
  t.equal(await whoAmI(), role);
});

t.test('keeps the password it has while the database accepts it, though the file changed', async (t) => {
  await writeFile(passwordFile, 'second');
  await dropConnections();
  t.equal(await whoAmIAfterDrop(), role, 'a new connection with the old password');
});

t.test('reads the file again when the database refuses the password, with a client open', async (t) => {
  t.equal(await whoAmI(), role, 'a connection is open');
  await setPassword('second');
  t.equal(await whoAmI(), role, 'the open connection survives the change');
  await dropConnections();
  t.equal(await whoAmIAfterDrop(), role, 'the new connection was refused once, then used the new password');
});

t.test('a password that is still wrong after reading the file again fails, with the database\'s reason', async (t) => {
  await setPassword(`third-${randomBytes(4).toString('hex')}`);
  await dropConnections();
  await t.rejects(whoAmIAfterDrop(), /authentication failed|password/i);
  await setPassword('second');
  t.equal(await whoAmI(), role, 'works again once the file and the database agree');
});

t.test('a missing password file is named in the error', async (t) => {
  const missing = createDatabase(withCredentials(server, role), { passwordFile: join(tmpdir(), `no-such-${randomBytes(4).toString('hex')}`) });
  t.teardown(() => missing.$disconnect());
  await t.rejects(missing.$queryRawUnsafe('SELECT 1'), /cannot read the database password from .*no-such-/);
});

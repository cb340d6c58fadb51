// The role the web and worker processes log in as: a member of cct_app, the group role
// the migrations create with only what the app needs. Made, or given its new password,
// by the master user after the migrations (on AWS, `npm run migrate` with
// APP_DATABASE_USER and APP_DATABASE_PASSWORD_FILE).
import pg from 'pg';
import { PasswordFile } from './password-file.ts';

export const APP_GROUP_ROLE = 'cct_app';

export async function ensureAppLogin(databaseUrl: string, user: string, passwordFile: string): Promise<void> {
  const password = await new PasswordFile(passwordFile).read();
  if (!password) throw new Error(`the database password file ${passwordFile} is empty`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(user);
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user]);
    if (!rowCount) {
      // Web instances booting together may both get here; the second one's CREATE fails.
      await client.query(`CREATE ROLE ${role} LOGIN`).catch((error: { code?: string }) => {
        if (error.code !== '42710' && error.code !== '23505') throw error;
      });
    }
    // A statement cannot take the password as a parameter; escapeLiteral quotes it.
    await client.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`GRANT ${APP_GROUP_ROLE} TO ${role}`);
  } finally {
    await client.end();
  }
}

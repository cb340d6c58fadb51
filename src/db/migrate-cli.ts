// `npm run migrate`: needs only DATABASE_URL, so it can run before the rest is configured.
// With APP_DATABASE_USER and APP_DATABASE_PASSWORD_FILE (on AWS) it then makes the app's
// login role, or sets its password to the file's.
import { ensureAppLogin } from './app-login.ts';
import { migrate } from './migrate.ts';

const { DATABASE_URL: url, APP_DATABASE_USER: appUser, APP_DATABASE_PASSWORD_FILE: appPasswordFile } = process.env;
if (!url) {
  console.error('DATABASE_URL is not set: expected a PostgreSQL connection URL, e.g. postgresql://user:pass@host:5432/db');
  process.exit(1);
}
if (Boolean(appUser) !== Boolean(appPasswordFile)) {
  console.error('Set both APP_DATABASE_USER and APP_DATABASE_PASSWORD_FILE (the app\'s login role and its password file), or neither.');
  process.exit(1);
}
try {
  const applied = await migrate(url);
  console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date; nothing to apply.');
  if (appUser && appPasswordFile) {
    await ensureAppLogin(url, appUser, appPasswordFile);
    console.log(`Role ${appUser} can log in with the password in ${appPasswordFile}.`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

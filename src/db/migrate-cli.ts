// `npm run migrate`: needs only DATABASE_URL, so it can run before the rest is configured.
import { migrate } from './migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set: expected a PostgreSQL connection URL, e.g. postgresql://user:pass@host:5432/db');
  process.exit(1);
}
try {
  const applied = await migrate(url);
  console.log(applied.length ? `Applied ${applied.join(', ')}` : 'Database is up to date; nothing to apply.');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

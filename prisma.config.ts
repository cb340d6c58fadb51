import { defineConfig } from 'prisma/config';

// process.env, not env(): `prisma generate` must work where DATABASE_URL is unset (CI, image builds).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});

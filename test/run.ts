// `npm test`: starts, once per run, whatever the environment does not name (PostgreSQL, the
// AWS emulators, the web UI's bundle) through the dev stack's own code (startServices), with a
// database, a bucket and queues of the run's own, then runs tap with that environment.
// `AWS_ENDPOINT_URL=http://localhost:4566 npm test` runs the same tests against LocalStack.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../src/config.ts';
import { MigrationError } from '../src/db/migrate.ts';
import { startServices, type Services } from '../src/dev/services.ts';
import { SetupError } from '../src/dev/setup-error.ts';

const ROOT = new URL('../', import.meta.url).pathname;
let services: Services | undefined;
let code = 1;
try {
  services = await startServices(process.env, {
    postgres: { dataDir: `${ROOT}.data/test-postgres`, port: 54321 },
    emulators: { s3: 0, ses: 0 },
    isolate: `test-${randomBytes(3).toString('hex')}`,
    bundleUi: true,
  });
  const env: NodeJS.ProcessEnv = {
    ...services.env,
    TEST_DATABASE_SERVER_URL: services.databaseServerUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // once per process is noise in test output
  };
  const tap = spawn(`${ROOT}node_modules/.bin/tap`, process.argv.slice(2), { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tap.kill(signal));
  code = await new Promise<number>((resolve) => tap.once('exit', (c) => resolve(c ?? 1)));
} catch (error) {
  // What a person can fix is said in one line; anything else is a bug worth its stack trace.
  const known = [SetupError, ConfigError, MigrationError].some((type) => error instanceof type);
  console.error(`Test setup failed: ${known ? (error as Error).message : error instanceof Error ? error.stack : error}`);
} finally {
  await services?.stop();
}
process.exit(code);

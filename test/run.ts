// `npm test`: starts, once per run, whatever the environment does not name
// (PostgreSQL, the AWS emulators) through the dev stack's own code, gives the
// run a database of its own, then runs tap with that environment.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { migrate } from '../src/db/migrate.ts';
import { createResources, EMULATOR_CREDENTIALS, EMULATOR_PART_BYTES, runDatabase, startEmulators, type Stop } from '../src/dev/services.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const stops: Stop[] = [];
const env: NodeJS.ProcessEnv = {
  ...process.env,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // once per process is noise in test output
};
let code = 1;
try {
  const database = await runDatabase(process.env.DATABASE_URL, `${ROOT}.data/test-postgres`, 54321, 'cct_test');
  stops.push(database.stop);
  env.DATABASE_URL = database.url;
  env.TEST_DATABASE_SERVER_URL = database.serverUrl;
  await migrate(env.DATABASE_URL);

  if (!process.env.AWS_ENDPOINT_URL) {
    const emulators = await startEmulators(0, 0);
    stops.push(emulators.stop);
    Object.assign(env, EMULATOR_CREDENTIALS, { AWS_ENDPOINT_URL: emulators.endpoint, AWS_ENDPOINT_URL_SES: emulators.sesEndpoint });
    env.UPLOAD_PART_BYTES ??= String(EMULATOR_PART_BYTES);
  }
  Object.assign(env, await createResources(env.AWS_ENDPOINT_URL!, env.AWS_REGION ?? 'us-east-1', `test-${randomBytes(3).toString('hex')}`));
  env.SES_FROM ??= 'noreply@cloud-conversion.test';
  env.JWT_SECRET = randomBytes(32).toString('hex');

  const tap = spawn(`${ROOT}node_modules/.bin/tap`, process.argv.slice(2), { env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tap.kill(signal));
  code = await new Promise<number>((resolve) => tap.once('exit', (c) => resolve(c ?? 1)));
} catch (error) {
  console.error(`Test setup failed: ${error instanceof Error ? error.stack : error}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch((error: Error) => console.error(`cleanup: ${error.message}`));
}
process.exit(code);

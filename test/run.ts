// `npm test`: starts, once per run, whatever the environment does not name
// (PostgreSQL, the AWS emulators) through the dev stack's own code, gives the
// run a database of its own, then runs tap with that environment.
// `AWS_ENDPOINT_URL=http://localhost:4566 npm test` runs the same tests against LocalStack.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { migrate } from '../src/db/migrate.ts';
import { createResources, EMULATOR_CREDENTIALS, runDatabase, startEmulators, type Stop } from '../src/dev/services.ts';

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
  } else {
    env.AWS_ACCESS_KEY_ID ??= EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID;
    env.AWS_SECRET_ACCESS_KEY ??= EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY;
  }
  env.AWS_REGION ??= 'us-east-1';
  Object.assign(env, await createResources(env.AWS_ENDPOINT_URL!, env.AWS_REGION, `test-${randomBytes(3).toString('hex')}`));
  env.SES_FROM ??= 'noreply@cloud-conversion.test';
  if (process.env.AWS_ENDPOINT_URL) {
    // LocalStack, like SES, rejects mail from an unverified sender (aws-ses-v2-local has no identities).
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
    const ses = new SESClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_SES ?? env.AWS_ENDPOINT_URL, credentials });
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: env.SES_FROM }));
  }
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

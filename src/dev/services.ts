// The outside services of the embedded stack: PostgreSQL, the AWS emulators with their bucket
// and queues, and the web UI's bundle, each started only where the environment does not name
// one. `npm run dev` and the test runner both start them through startServices, so tests run
// against what developers run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SESClient, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { migrate } from '../db/migrate.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { SetupError } from './setup-error.ts';
import { bundleUi } from './ui-bundle.ts';
import { addBrowserAccess } from './s3-browser-access.ts';

export type Stop = () => Promise<void>;

/** Credentials the emulators accept; never used against AWS. */
export const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

export const MAX_RECEIVE_COUNT = 5;

/** Stops, run last-started first; one that fails is reported and the others still run. */
export function teardown(report: (message: string) => void) {
  const stops: Stop[] = [];
  return {
    add: (stop: Stop) => void stops.push(stop),
    run: async () => {
      for (const stop of stops.splice(0).reverse()) await stop().catch((error: Error) => report(`stopping: ${error.message}`));
    },
  };
}

/** A connected client, or a SetupError saying what to do when the server does not let us in. */
async function connect(serverUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (error) {
    const { hostname, port } = new URL(serverUrl);
    const reason = error instanceof AggregateError ? error.errors[0]?.message : (error as Error).message;
    throw new SetupError(`PostgreSQL at ${hostname}:${port || 5432} did not let us in (${reason}): start it or correct DATABASE_URL, or unset DATABASE_URL to use an embedded server.`);
  }
  return client;
}

/** Creates database `name` on the server of serverUrl unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = await connect(serverUrl);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = await connect(serverUrl);
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The S3 emulator's limit on one request body: larger direct uploads must be multipart in parts below it. */
export const EMULATOR_PART_BYTES = 8 * 1024 * 1024;

/**
 * Starts fauxqs (S3 + SQS) and aws-ses-v2-local in this process, bound to loopback only. Port 0 picks
 * free ports. S3 checks presigned URLs and answers browsers of corsOrigins as S3 does (s3-browser-access.ts).
 */
export async function startEmulators(s3Port: number, sesPort: number, corsOrigins: string[] = []): Promise<{ endpoint: string; sesEndpoint: string; stop: Stop }> {
  const { buildApp } = await import('fauxqs');
  const fauxqs = buildApp({ logger: false });
  addBrowserAccess(fauxqs, corsOrigins);
  await fauxqs.listen({ host: '127.0.0.1', port: s3Port });
  // A CommonJS module with `exports.default`: plain Node puts the function one level down, tsx does not.
  const sesModule = (await import('aws-ses-v2-local')) as unknown as Record<'default', unknown>;
  const startSes = (typeof sesModule.default === 'function' ? sesModule.default : (sesModule.default as typeof sesModule).default) as typeof import('aws-ses-v2-local').default;
  const ses = await startSes({ host: '127.0.0.1', port: sesPort });
  if (!ses.listening) await new Promise((resolve) => ses.once('listening', resolve));
  const address = (server: { address(): unknown }) => (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${address(fauxqs.server)}`,
    sesEndpoint: `http://127.0.0.1:${address(ses)}`,
    stop: async () => {
      ses.closeAllConnections();
      await new Promise((resolve) => ses.close(resolve));
      await fauxqs.close();
    },
  };
}

export interface Resources {
  S3_BUCKET: string;
  SQS_QUEUE_URL: string;
  SQS_DLQ_URL: string;
}

/** Creates the bucket, the dead-letter queue and the queue that redrives to it. Safe to repeat. */
export async function createResources(endpoint: string, region: string, prefix: string, maxReceiveCount = MAX_RECEIVE_COUNT, visibilityTimeoutSeconds = 60): Promise<Resources> {
  const client = { region, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const s3 = new S3Client({ ...client, forcePathStyle: true });
  const sqs = new SQSClient(client);
  try {
    const bucket = `${prefix}-files`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-conversions-dlq` }));
    const dlqAttributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-conversions`,
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn, maxReceiveCount }),
        },
      }),
    );
    return { S3_BUCKET: bucket, SQS_QUEUE_URL: queue.QueueUrl!, SQS_DLQ_URL: dlq.QueueUrl! };
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}

/**
 * A database of its own for one run (tests, benchmarks): on the server of serverUrl when
 * given, else on an embedded PostgreSQL in dataDir. `stop` drops it and stops what was started.
 */
export async function runDatabase(serverUrl: string | undefined, dataDir: string, port: number, prefix: string) {
  const stops = teardown(console.error);
  try {
    let server = serverUrl;
    if (!server) {
      const embedded = await startEmbeddedPostgres(dataDir, port);
      stops.add(embedded.stop);
      server = embedded.url;
    }
    const name = `${prefix}_${Date.now()}_${process.pid}`;
    const url = await ensureDatabase(server, name);
    const serverOfRun = server;
    stops.add(() => dropDatabase(serverOfRun, name));
    return { url, serverUrl: server, stop: stops.run };
  } catch (error) {
    await stops.run();
    throw error;
  }
}

export interface ServiceOptions {
  /** The embedded PostgreSQL's data folder and port, used when env has no DATABASE_URL. */
  postgres: { dataDir: string; port: number };
  /** The emulators' ports when env has no AWS_ENDPOINT_URL (0: any free port). */
  emulators: { s3: number; ses: number };
  /**
   * Tests: a database, a bucket and queues of the run's own, named from this prefix (the database
   * is dropped by stop). Else DATABASE_URL as it is or the embedded server's `conversions`, and the
   * bucket and queues `cct-…` on the emulators started here.
   */
  isolate?: string;
  /** Bundle the web UI into a temporary folder when env has no UI_DIR (not for the built dist/, which has dist/ui). */
  bundleUi: boolean;
  /** Pages that may upload straight to the S3 emulator (its CORS rule), when it is started here. */
  corsOrigins?: string[];
  log?: (line: string) => void;
}

export interface Services {
  /** env completed with what was started: DATABASE_URL, the AWS variables, UI_DIR. */
  env: NodeJS.ProcessEnv;
  /** The PostgreSQL server DATABASE_URL is on (to make more databases there). */
  databaseServerUrl: string;
  stop: Stop;
}

/** Starts whatever env does not name, applies the migrations, and returns env completed with it all. */
async function verifySender(env: NodeJS.ProcessEnv): Promise<void> {
  const ses = new SESClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
  try {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: env.SES_FROM }));
  } finally {
    ses.destroy();
  }
}

export async function startServices(env: NodeJS.ProcessEnv, options: ServiceOptions): Promise<Services> {
  const stops = teardown(options.log ?? console.error);
  const completed: NodeJS.ProcessEnv = { ...env };
  try {
    if (env.DATABASE_URL) await (await connect(env.DATABASE_URL)).end(); // one line saying what to do, before anything starts
    const { dataDir, port } = options.postgres;
    let databaseServerUrl = env.DATABASE_URL;
    if (options.isolate) {
      const database = await runDatabase(env.DATABASE_URL, dataDir, port, `cct_${options.isolate.replaceAll('-', '_')}`);
      stops.add(database.stop);
      completed.DATABASE_URL = database.url;
      databaseServerUrl = database.serverUrl;
    } else if (!databaseServerUrl) {
      const embedded = await startEmbeddedPostgres(dataDir, port);
      stops.add(embedded.stop);
      databaseServerUrl = embedded.url;
      completed.DATABASE_URL = await ensureDatabase(embedded.url, 'conversions');
    }
    await migrate(completed.DATABASE_URL!);

    if (!env.AWS_ENDPOINT_URL) {
      const emulators = await startEmulators(options.emulators.s3, options.emulators.ses, options.corsOrigins);
      stops.add(emulators.stop);
      Object.assign(completed, EMULATOR_CREDENTIALS, { AWS_ENDPOINT_URL: emulators.endpoint, AWS_ENDPOINT_URL_SES: emulators.sesEndpoint });
      completed.UPLOAD_PART_BYTES ??= String(EMULATOR_PART_BYTES);
    } else {
      // LocalStack (or another emulator) named by the environment takes any credentials.
      completed.AWS_ACCESS_KEY_ID ??= EMULATOR_CREDENTIALS.AWS_ACCESS_KEY_ID;
      completed.AWS_SECRET_ACCESS_KEY ??= EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY;
    }
    completed.AWS_REGION ??= 'us-east-1';
    if (options.isolate || !env.AWS_ENDPOINT_URL) {
      Object.assign(completed, await createResources(completed.AWS_ENDPOINT_URL!, completed.AWS_REGION, options.isolate ?? 'cct'));
      completed.SES_FROM ??= 'noreply@cloud-conversion.test';
      // LocalStack, like SES, refuses mail from an unverified sender; aws-ses-v2-local (its own
      // AWS_ENDPOINT_URL_SES) has no identities and hangs on their API, so only LocalStack is asked.
      if (env.AWS_ENDPOINT_URL && !completed.AWS_ENDPOINT_URL_SES) await verifySender(completed);
    }

    if (options.bundleUi && !env.UI_DIR) {
      const dir = await mkdtemp(join(tmpdir(), 'cct-ui-'));
      stops.add(() => rm(dir, { recursive: true, force: true }));
      await bundleUi(dir);
      completed.UI_DIR = dir;
    }
    return { env: completed, databaseServerUrl: databaseServerUrl!, stop: stops.run };
  } catch (error) {
    await stops.run();
    throw error;
  }
}

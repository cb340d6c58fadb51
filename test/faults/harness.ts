// A stack of the scenario's own for fault injection: its own emulators (S3 and SQS each behind
// a TCP proxy that can cut it off), its own queues with a short visibility timeout,
// and web and worker processes it can SIGKILL and replace. The database is the run's unless
// the scenario brings its own (scenario 3 freezes it), optionally behind a proxy (scenario 2).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Test } from 'tap';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { startNginx, findNginx } from '../../src/dev/nginx.ts';
import { createResources, EMULATOR_CREDENTIALS, startEmulators } from '../../src/dev/services.ts';
import { startChild, stopChild, waitForHealth } from '../../src/dev/stack.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

export interface FaultStackOptions {
  webs?: number;
  nginx?: boolean;
  databaseUrl?: string;
  /** The processes reach the database through a TCP proxy the scenario can freeze (`database`). */
  databaseProxy?: boolean;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  /** Extra environment of every web and worker process. */
  env?: Record<string, string>;
}

export interface Child {
  process: ChildProcess;
  url: string;
}

export interface FaultStack {
  env: NodeJS.ProcessEnv;
  webs: Child[];
  /** nginx in front of the web processes, when asked for. */
  front?: string;
  /** Between the processes and fauxqs, one for S3 and one for SQS: stop() cuts it off, start() brings it back. */
  s3: TcpProxy;
  sqs: TcpProxy;
  /** With `databaseProxy`: between the processes and PostgreSQL. */
  database?: TcpProxy;
  db: Database;
  startWorker(env?: Record<string, string>): Promise<Child>;
  startWeb(): Promise<Child>;
  emails(): Promise<Array<{ destination: { to: string[] }; subject: string }>>;
  objectKeys(): Promise<string[]>;
  /** The last lines the processes wrote, for a failure's diagnosis. */
  logTail(): string;
}

const CHILD_LOG_LINES = 200;

export async function startFaultStack(t: Test, options: FaultStackOptions = {}): Promise<FaultStack> {
  const { webs = 1, visibilityTimeoutSeconds = 5, maxReceiveCount = 5 } = options;
  const emulators = await startEmulators(0, 0);
  t.teardown(() => emulators.stop());
  const fauxqs = new URL(emulators.endpoint);
  const [s3Proxy, sqsProxy] = await Promise.all([0, 1].map(() => startTcpProxy({ host: '127.0.0.1', port: Number(fauxqs.port) })));
  t.teardown(() => Promise.all([s3Proxy!.close(), sqsProxy!.close()]));
  const endpoint = `http://127.0.0.1:${s3Proxy!.port}`;
  const resources = await createResources(endpoint, 'us-east-1', `f-${randomBytes(3).toString('hex')}`, maxReceiveCount, visibilityTimeoutSeconds);
  const databaseUrl = new URL(options.databaseUrl ?? process.env.DATABASE_URL!);
  const database = options.databaseProxy ? await startTcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) }) : undefined;
  if (database) t.teardown(() => database.close());
  const db = createDatabase(databaseUrl.toString());
  t.teardown(() => db.$disconnect());
  if (database) databaseUrl.host = `127.0.0.1:${database.port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    UI_DIR: process.env.UI_DIR, // the web processes refuse to start without the UI's bundle
    ...EMULATOR_CREDENTIALS,
    ...resources,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${sqsProxy!.port}`,
    AWS_ENDPOINT_URL_SES: emulators.sesEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    DATABASE_URL: databaseUrl.toString(),
    SES_FROM: 'noreply@cloud-conversion.test',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    WORKER_CONCURRENCY: '2',
    WORKER_DRAIN_SECONDS: '1',
    WORKER_RETRY_DELAY_SECONDS: '1',
    ...options.env,
  };
  const s3 = new S3Client({ region: 'us-east-1', endpoint: emulators.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  t.teardown(() => s3.destroy());

  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    if (logs.length > CHILD_LOG_LINES) logs.shift();
  };
  const children: ChildProcess[] = [];
  t.teardown(() => Promise.all(children.map((child) => stopChild(child, 5000))));
  async function start(script: string, label: string, extra: Record<string, string>, healthPath: string, port: number): Promise<Child> {
    const child = startChild(script, false, { ...env, ...extra }, label, log);
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    // A loaded machine starts tsx slowly. The child's log is not printed: a failed start carries it.
    await waitForHealth(`${url}${healthPath}`, child, label, undefined, 120).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.filter((line) => line.startsWith(`[${label}]`)).join('\n')}`);
    });
    return { process: child, url };
  }
  const startWeb = async () => {
    const [port] = (await freePorts(1)) as [number];
    return start('src/web/server.ts', `web:${port}`, { PORT: String(port) }, '/health', port);
  };
  const startWorker = async (extra: Record<string, string> = {}) => {
    const [port] = (await freePorts(1)) as [number];
    return start('src/worker/main.ts', `worker:${port}`, { WORKER_PORT: String(port), ...extra }, '/health', port);
  };

  const webChildren: Child[] = [];
  for (let i = 0; i < webs; i++) webChildren.push(await startWeb());
  let front: string | undefined;
  if (options.nginx) {
    const binary = findNginx();
    if (!binary) throw new Error('nginx is not installed (apt-get install nginx)');
    const [port] = (await freePorts(1)) as [number];
    const nginx = await startNginx(binary, webChildren.map((w) => new URL(w.url).host), port, 1024 ** 3);
    t.teardown(() => nginx.stop());
    front = nginx.url;
  }

  return {
    env,
    webs: webChildren,
    front,
    s3: s3Proxy!,
    sqs: sqsProxy!,
    database,
    db,
    startWorker,
    startWeb,
    emails: async () => ((await (await fetch(`${emulators.sesEndpoint}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string }> }).emails,
    async objectKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: resources.S3_BUCKET, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys;
    },
    logTail: () => logs.join('\n'),
  };
}

/** S3 objects that no task row names: what a crash or an outage left behind. */
export async function unreferencedObjects(stack: FaultStack): Promise<string[]> {
  const tasks = await stack.db.task.findMany({ select: { inputKey: true, outputKey: true } });
  const referenced = new Set(tasks.flatMap((task) => [task.inputKey, task.outputKey]));
  return (await stack.objectKeys()).filter((key) => !referenced.has(key));
}

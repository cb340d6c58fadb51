// The stack under benchmark: the compiled service on free ports, a database of the run's own,
// and the emulators in a process of their own; plus the process ids the CPU meter reads.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { freePorts } from '../src/dev/ports.ts';
import { createResources, EMULATOR_CREDENTIALS, runDatabase } from '../src/dev/services.ts';
import { startStack } from '../src/dev/stack.ts';
import { childPids, type StackProcesses } from './processes.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const REGION = 'us-east-1';

async function startEmulatorProcess() {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/emulators.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then(({ value }) => [value as string]),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the emulator process exited with code ${code}`)))),
  ]);
  const endpoints = JSON.parse(line!) as { endpoint: string; sesEndpoint: string };
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  return { ...endpoints, pid: child.pid!, stop };
}

/** Starts everything; `profileDir` runs the web processes and the worker with --cpu-prof into it. */
export async function startBenchStack(profileDir?: string) {
  await run('npm', ['run', 'build'], { cwd: ROOT });
  const [web1, web2, nginx, worker] = (await freePorts(4)) as [number, number, number, number];
  const database = await runDatabase(process.env.DATABASE_URL, join(ROOT, '.data/bench-postgres'), 54322, 'cct_bench');
  const emulators = await startEmulatorProcess();
  const resources = await createResources(emulators.endpoint, REGION, 'cct');
  const stack = await startStack({
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      MAX_UPLOAD_BYTES: String(2 * 1024 ** 3),
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: emulators.endpoint,
      AWS_ENDPOINT_URL_SES: emulators.sesEndpoint,
      SES_FROM: 'noreply@cloud-conversion.test',
      ...EMULATOR_CREDENTIALS,
      ...resources,
    },
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    ports: { web: [web1, web2], nginx, worker, s3: 0, ses: 0, postgres: 0 },
    log: () => {},
    compiled: true,
  });
  const nginxPid = childPids(process.pid).find((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nginx');
  if (!nginxPid) throw new Error('the benchmark needs nginx (apt-get install nginx)');
  // One connection to learn the server's pid (a backend's parent); closed before anything is measured.
  const probe = new pg.Client({ connectionString: database.url });
  await probe.connect();
  const { rows: [{ pid: backend, db: dbName }] } = (await probe.query('SELECT pg_backend_pid() AS pid, current_database() AS db')) as unknown as { rows: [{ pid: number; db: string }] };
  const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
  await probe.end();

  const processes: StackProcesses = {
    web: Object.entries(stack.pids).filter(([label]) => label.startsWith('web:')).map(([, pid]) => pid),
    worker: stack.pids.worker!,
    nginx: nginxPid,
    emulator: emulators.pid,
    postmaster: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
    database: dbName,
  };
  const s3 = new S3Client({ region: REGION, endpoint: emulators.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const bucket = resources.S3_BUCKET;

  return {
    base: stack.urls.nginx!,
    s3Endpoint: emulators.endpoint,
    bucket,
    databaseUrl: database.url,
    processes,
    /** Waits until the worker has no message in hand (its bookkeeping after `processed` included). */
    async workerIdle(): Promise<void> {
      while (((await (await fetch(`http://127.0.0.1:${worker}/health`)).json()) as { inFlight: number }).inFlight > 0) await sleep(50);
    },
    async stopWorker(): Promise<void> {
      process.kill(processes.worker, 'SIGTERM');
      while (existsSync(`/proc/${processes.worker}`)) await sleep(50);
    },
    /** The emulator keeps every object in memory: empty the bucket between scenarios. */
    async emptyBucket(): Promise<void> {
      for (;;) {
        const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
        const objects = (listing.Contents ?? []).map(({ Key }) => ({ Key }));
        if (objects.length === 0) return;
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      }
    },
    async stop(): Promise<void> {
      s3.destroy();
      await stack.stop();
      await emulators.stop();
      await database.stop();
    },
  };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

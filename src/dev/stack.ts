// The embedded stack: the services the environment does not name (services.ts), two web
// processes, one worker and nginx, each started here and stopped here.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROCESS_MEMORY_ENV } from '../process-memory.ts';
import { findNginx, startNginx } from './nginx.ts';
import { startServices, teardown, type Stop } from './services.ts';
import { SetupError } from './setup-error.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface StackPorts {
  web: number[];
  nginx: number;
  worker: number;
  s3: number;
  ses: number;
  postgres: number;
}

export const DEV_PORTS: StackPorts = { web: [3000, 3001], nginx: 8080, worker: 9100, s3: 4566, ses: 8005, postgres: 54320 };

export interface StackOptions {
  env: NodeJS.ProcessEnv;
  /** Run the built `dist/` as production does, instead of the sources through tsx. */
  compiled?: boolean;
  /** Aborting while the stack starts stops what was started so far. */
  signal?: AbortSignal;
  ports?: StackPorts;
  log?: (line: string) => void;
  /** Options for node itself in the web processes and the worker (the benchmark's --cpu-prof: NODE_OPTIONS may not carry it). */
  nodeArgs?: string[];
}

export interface Stack {
  urls: Record<string, string>;
  /** Process ids of the web processes and the worker, by label. */
  pids: Record<string, number>;
  env: NodeJS.ProcessEnv;
  stop: Stop;
}

function prefixLines(stream: NodeJS.ReadableStream | null, label: string, log: (line: string) => void) {
  if (stream) createInterface({ input: stream }).on('line', (line) => log(`[${label}] ${line}`));
}

export function startChild(script: string, compiled: boolean, env: NodeJS.ProcessEnv, label: string, log: (line: string) => void, nodeArgs: string[] = []): ChildProcess {
  const args = [...nodeArgs, ...(compiled ? [script.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js')] : ['--import', 'tsx', script])];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(child.stdout, label, log);
  prefixLines(child.stderr, label, log);
  return child;
}

export async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A first start compiles every source (tsx): on a busy 2-core machine that took over 30 s. */
const START_SECONDS = 90;

export async function waitForHealth(url: string, child: ChildProcess, label: string, signal?: AbortSignal, timeoutSeconds = START_SECONDS): Promise<void> {
  for (const deadline = Date.now() + timeoutSeconds * 1000; Date.now() < deadline; ) {
    signal?.throwIfAborted();
    if (child.exitCode !== null) throw new SetupError(`${label} exited with code ${child.exitCode} while starting; see its log above`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(50);
  }
  throw new SetupError(`${label} did not answer ${url} within ${timeoutSeconds} s; see its log above`);
}

export async function startStack({ env, ports = DEV_PORTS, log = console.log, signal, compiled = false, nodeArgs = [] }: StackOptions): Promise<Stack> {
  const stops = teardown(log);
  try {
    const publicBaseUrl = env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${ports.nginx}`;
    // The pages the browser may upload straight to S3 from: nginx's and each web process's.
    const corsOrigins = [...new Set([publicBaseUrl, ...[ports.nginx, ...ports.web].map((port) => `http://127.0.0.1:${port}`)])];
    const services = await startServices(env, {
      postgres: { dataDir: `${ROOT}.data/postgres`, port: ports.postgres },
      emulators: { s3: ports.s3, ses: ports.ses },
      bundleUi: !compiled,
      corsOrigins,
      log,
    });
    stops.add(services.stop);
    const childEnv: NodeJS.ProcessEnv = { ...services.env, ...PROCESS_MEMORY_ENV, WORKER_PORT: String(ports.worker), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    // Node options of the environment's own (a debugger, a preload) still apply.
    if (services.env.NODE_OPTIONS) childEnv.NODE_OPTIONS = `${PROCESS_MEMORY_ENV.NODE_OPTIONS} ${services.env.NODE_OPTIONS}`;
    // Dev only: a fresh signing secret each start (tokens do not outlive the stack).
    childEnv.JWT_SECRET ??= randomBytes(32).toString('hex');
    childEnv.WORKER_DRAIN_SECONDS ??= '10'; // within stopChild's grace
    childEnv.PUBLIC_BASE_URL = publicBaseUrl;
    signal?.throwIfAborted();

    const children: Array<{ child: ChildProcess; health: string; label: string }> = [];
    for (const port of ports.web) {
      const label = `web:${port}`;
      children.push({ child: startChild('src/web/server.ts', compiled, { ...childEnv, PORT: String(port) }, label, log, nodeArgs), health: `http://127.0.0.1:${port}/health`, label });
    }
    children.push({ child: startChild('src/worker/main.ts', compiled, childEnv, 'worker', log, nodeArgs), health: `http://127.0.0.1:${ports.worker}/health`, label: 'worker' });
    stops.add(() => Promise.all(children.map(({ child }) => stopChild(child))).then(() => undefined));
    await Promise.all(children.map(({ child, health, label }) => waitForHealth(health, child, label, signal)));

    const urls: Record<string, string> = Object.fromEntries(ports.web.map((port) => [`web:${port}`, `http://127.0.0.1:${port}`]));
    urls.worker = `http://127.0.0.1:${ports.worker}/metrics`;
    const nginx = findNginx();
    if (nginx) {
      const front = await startNginx(nginx, ports.web.map((p) => `127.0.0.1:${p}`), ports.nginx, Number(childEnv.MAX_UPLOAD_BYTES ?? 1024 ** 3));
      stops.add(front.stop);
      urls.nginx = front.url;
    }
    if (!env.AWS_ENDPOINT_URL) urls.emails = `${childEnv.AWS_ENDPOINT_URL_SES}/store`;
    const pids = Object.fromEntries(children.map(({ label, child }) => [label, child.pid!]));
    return { urls, pids, env: childEnv, stop: stops.run };
  } catch (error) {
    await stops.run();
    throw error;
  }
}

// `npm run test:replica`: builds the images (stand-ins for the ones no registry can give this
// machine), runs docker-compose.yml, and uses the replica as a person would, through its nginx
// port only; then prints how long each part took and how large the images are (docs/docker.md).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../src/dev/ports.ts';
import { emailsTo } from '../test/helpers/mail.ts';
import { log, logTo, run, seconds, timed } from './commands.ts';
import { detectEngine, type Engine } from './engine.ts';
import { containers, runHealthchecks, waitHealthy } from './health.ts';
import { Client, tone, type Task } from './smoke.ts';
import { buildStandIns, CACHE, STAND_INS } from './standins.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const PROJECT = `cct-replica-${process.pid}`;
const APP_IMAGES = { 'Dockerfile.web': 'cloud-conversion-tool/web:local', 'Dockerfile.worker': 'cloud-conversion-tool/worker:local' };
const SERVICES = { nginx: 1, web: 2, worker: 2, postgres: 1, redis: 1, localstack: 1 };
const BATCH = 4; // one per worker after the scale-up
const AUTH_LIMIT = 10; // AUTH_RATE_LIMIT_PER_MINUTE's default, which docker-compose.yml keeps

const logDir = join(CACHE, 'logs');
mkdirSync(logDir, { recursive: true });
const logFile = join(logDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
logTo(logFile);
const figures: Array<[string, string]> = [];
const step = (text: string) => {
  console.log(`replica: ${text}`);
  log(`### ${text}`);
};
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  step(`ok - ${what}`);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

async function buildImages(engine: Engine): Promise<void> {
  if (engine.cli === 'podman') {
    step('building the stand-in base images (cached between runs)');
    const built = await buildStandIns(engine);
    for (const { image } of STAND_INS) figures.push([`build ${image} (stand-in)`, built.has(image) ? seconds(built.get(image)!) : 'cached']);
    for (const [image, ms] of built) if (!STAND_INS.some((s) => s.image === image)) figures.push([`build ${image}`, seconds(ms)]);
  }
  for (const [dockerfile, image] of Object.entries(APP_IMAGES)) {
    step(`building ${image} from ${dockerfile}`);
    // HEALTHCHECK exists only in Docker's image format; podman's default (OCI) drops it.
    const format = engine.cli === 'podman' ? ['--format', 'docker'] : [];
    const [, ms] = await timed(() => run(engine.cli, ['build', ...format, '-f', join(ROOT, dockerfile), '-t', image, ROOT], { env: engine.env }));
    figures.push([`build ${image}`, seconds(ms)]);
  }
}

async function compose(engine: Engine, env: NodeJS.ProcessEnv, ...args: string[]): Promise<void> {
  const { code } = await engine.compose(PROJECT, args, env);
  if (code !== 0) throw new Error(`compose ${args.join(' ')} exited ${code} (log: ${logFile})`);
}

async function emailsAbout(localstack: string, client: Client, subject: string): Promise<number> {
  return (await emailsTo(client.email, localstack)).filter((e) => e.subject === subject).length;
}

/** Until /ready answers 200 four times in a row through nginx, which takes turns between the web replicas. */
async function ready(base: string): Promise<void> {
  let inARow = 0;
  let last = '';
  await waitFor(
    '/ready through nginx',
    async () => {
      const answer = await fetch(`${base}/ready`).then(async (r) => ({ ok: r.ok, text: `${r.status} ${await r.text()}` }), (e: Error) => ({ ok: false, text: e.message }));
      last = answer.text;
      inARow = answer.ok ? inARow + 1 : 0;
      return inARow >= 4 ? true : undefined;
    },
    60_000,
  ).catch(() => {
    throw new Error(`/ready through nginx did not answer 200 four times in a row within 60 s; last answer: ${last}`);
  });
}

async function smoke(engine: Engine, env: NodeJS.ProcessEnv, upStart: number, web: string, localstack: string): Promise<void> {
  const client = new Client(web);
  await client.signUpAndLogIn();
  step(`signed up and logged in as ${client.username} through nginx`);

  const uploaded = Date.now();
  const first = await client.upload(await tone('wav', 30), 'first.wav', 'mp3');
  await client.processed(first.id, 120_000);
  figures.push(['first converted file, from `up`', seconds(Date.now() - upStart)], ['first converted file, from its upload', seconds(Date.now() - uploaded)]);
  const probe = await client.probeConverted(first.id);
  check(probe.codec === 'mp3' && Math.abs(probe.duration - 30) < 0.5, `downloaded first.mp3: ffprobe reads ${probe.codec}, ${probe.duration.toFixed(2)} s`);
  const firstSubject = 'first.wav is ready as MP3';
  await waitFor('the email about first.wav', async () => ((await emailsAbout(localstack, client, firstSubject)) ? true : undefined), 30_000);
  check((await emailsAbout(localstack, client, firstSubject)) === 1, `one email "${firstSubject}" in /_aws/ses`);

  // As the web UI uploads: the presigned URL names S3_PUBLIC_ENDPOINT (LocalStack's published
  // port), and the bucket's CORS (localstack/ready.d) lets the UI's origin PUT there.
  const page = `http://localhost:${env.CCT_HTTP_PORT}`;
  const direct = await tone('wav', 10);
  const upload = await client.newUpload('direct.wav', direct.length, 'audio/wav');
  const s3 = new URL(upload.url).origin;
  check(upload.method === 'PUT' && s3 === `http://localhost:${new URL(localstack).port}`, `POST /api/uploads: a PUT URL at S3_PUBLIC_ENDPOINT (${s3})`);
  const preflight = await fetch(upload.url, { method: 'OPTIONS', headers: { origin: page, 'access-control-request-method': 'PUT', 'access-control-request-headers': Object.keys(upload.headers).join(',') } });
  check(preflight.ok && preflight.headers.get('access-control-allow-origin') === page, `the bucket's CORS lets ${page} PUT there (preflight: ${preflight.status})`);
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(direct) });
  check(put.ok, `PUT direct.wav to S3 from the host: ${put.status} ${put.ok ? '' : await put.text()}`);
  const fromS3 = await client.taskFromUpload(upload.uploadId, 'flac');
  await client.processed(fromS3.id, 120_000);
  const directProbe = await client.probeConverted(fromS3.id);
  check(directProbe.codec === 'flac' && Math.abs(directProbe.duration - 10) < 0.5, `POST /api/tasks {uploadId}: direct.flac, ffprobe reads ${directProbe.codec}, ${directProbe.duration.toFixed(2)} s`);

  const webLogs = await Promise.all((await containers(engine, PROJECT)).filter((c) => c.service === 'web').map((c) => run(engine.cli, ['logs', c.id], { env: engine.env })));
  const served = webLogs.map((l) => (l.stdout.match(/incoming request/g) ?? []).length);
  check(served.every((n) => n > 0), `nginx spread the requests over both web replicas (${served.join(' and ')})`);

  step('scaling to 4 workers');
  await compose(engine, env, 'up', '-d', '--no-build', '--no-recreate', '--scale', 'worker=4');
  await waitHealthy(engine, PROJECT, { ...SERVICES, worker: 4 }, [], 120_000);
  check(true, '4 workers healthy');

  const source = await tone('mp3', 60);
  const batch: Task[] = [];
  for (let i = 1; i <= BATCH; i++) batch.push(await client.upload(source, `batch-${i}.mp3`, 'aac'));
  const ids = new Set(batch.map((t) => t.id));
  const mine = async () => (await client.tasks()).filter((t) => ids.has(t.id));
  await waitFor('conversions in progress', async () => ((await mine()).filter((t) => t.status === 'processing').length >= 2 ? true : undefined), 60_000);
  const converting = (await mine()).filter((t) => t.status === 'processing').length;
  const [, restart] = await timed(() => compose(engine, env, 'restart', 'worker'));
  step(`restarted the 4 workers while ${converting} conversions ran (${seconds(restart)})`);
  figures.push(['restart of 4 busy workers', seconds(restart)]);
  const final = await waitFor('the batch', async () => {
    const tasks = await mine();
    return tasks.every((t) => t.status === 'processed' || t.status === 'failed') ? tasks : undefined;
  }, 600_000);
  check(final.every((t) => t.status === 'processed'), `all ${BATCH} conversions processed after the restart (${final.map((t) => t.status).join(', ')})`);
  await sleep(2000); // a duplicate email would come from a redelivered message
  const counts = await Promise.all(batch.map((t) => emailsAbout(localstack, client, `${t.fileName} is ready as AAC`)));
  check(counts.every((n) => n === 1), `exactly one email per conversion (${counts.join(', ')})`);

  // Counted per web process, nginx's round robin would let about twice the limit through.
  const allowed = await client.loginsUntilLimited(3 * AUTH_LIMIT);
  check(allowed <= AUTH_LIMIT, `the 2 web replicas share the login rate limit through redis: 429 after ${allowed} wrong passwords (limit ${AUTH_LIMIT} a minute)`);
}

async function imageSizes(engine: Engine): Promise<void> {
  const images = [...(engine.cli === 'podman' ? STAND_INS.map((s) => s.image) : []), ...Object.values(APP_IMAGES)];
  for (const image of images) {
    const size = Number((await run(engine.cli, ['image', 'inspect', '--format', '{{.Size}}', image], { env: engine.env })).stdout.trim());
    figures.push([`size ${image}`, `${(size / 1e6).toFixed(0)} MB`]);
  }
}

async function leftovers(engine: Engine): Promise<string[]> {
  const label = `label=com.docker.compose.project=${PROJECT}`;
  const list = async (kind: string) =>
    (await run(engine.cli, [kind, 'ls', '-q', '--filter', label], { env: engine.env })).stdout.split('\n').filter(Boolean).map((id) => `${kind} ${id}`);
  const left = [...(await containers(engine, PROJECT)).map((c) => `container ${c.name}`), ...(await list('network')), ...(await list('volume'))];
  // docker-compose names its network and volume after the project even where labels differ.
  for (const [kind, name] of [['network', `${PROJECT}_default`], ['volume', `${PROJECT}_postgres-data`]] as const) {
    if ((await run(engine.cli, [kind, 'inspect', name], { env: engine.env, allowFailure: true })).code === 0) left.push(`${kind} ${name}`);
  }
  return [...new Set(left)];
}

let failure: unknown;
let containerLogs = '';
/** The services' own warnings and errors (pino levels 40 and up): on a CI machine, often the only trace of a failure's cause. */
const warnings = (logs: string) => logs.split('\n').filter((line) => /"level":(4|5|6)0\b/.test(line)).slice(-30);
const engine = await detectEngine();
step(`engine: ${engine.cli}; full log: ${logFile}`);
let down = false;
let stopHealthchecks = async () => {};
/** Keeps the containers' logs and removes what the run made; once, also when interrupted. */
const cleanUp = (() => {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= (async () => {
      await stopHealthchecks();
      if (!down) {
        const env = { JWT_SECRET: 'x'.repeat(32) }; // compose refuses to read the file without one
        containerLogs = (await engine.compose(PROJECT, ['logs', '--no-color'], env)).stdout;
        writeFileSync(`${logFile}.containers`, containerLogs);
        await engine.compose(PROJECT, ['down', '-v'], env);
      }
      await engine.stop();
    })());
})();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`replica: ${signal}: removing what the run made`);
    void cleanUp().finally(() => process.exit(130));
  });
}
try {
  await buildImages(engine);
  const [http, localstackPort] = (await freePorts(2)) as [number, number];
  const env = { JWT_SECRET: randomBytes(32).toString('hex'), CCT_HTTP_PORT: String(http), CCT_LOCALSTACK_PORT: String(localstackPort) };
  if (engine.runsHealthchecks) stopHealthchecks = runHealthchecks(engine, PROJECT);
  step(`docker-compose.yml up as project ${PROJECT}, nginx on :${http}`);
  const upStart = Date.now();
  await compose(engine, env, 'up', '-d', '--no-build');
  await waitHealthy(engine, PROJECT, SERVICES, ['migrate'], 300_000);
  figures.push(['every service healthy, from `up`', seconds(Date.now() - upStart)]);
  check(true, 'migrate exited 0; nginx, 2 web, 2 workers, postgres, redis and localstack healthy');
  // Docker's healthcheck asks only whether each web process is alive: the smoke starts once both
  // web replicas also answer /ready (they reach PostgreSQL, S3 and SQS).
  await ready(`http://127.0.0.1:${http}`);
  figures.push(['/ready through nginx (both web replicas), from `up`', seconds(Date.now() - upStart)]);
  await smoke(engine, env, upStart, `http://127.0.0.1:${http}`, `http://127.0.0.1:${localstackPort}`);

  await stopHealthchecks();
  await compose(engine, env, 'down', '-v');
  down = true;
  const left = await leftovers(engine);
  check(left.length === 0, `down -v left no container, network or volume${left.length ? ` (left: ${left.join(', ')})` : ''}`);
  await imageSizes(engine);
} catch (error) {
  failure = error;
} finally {
  await cleanUp();
}

// The figures depend on what else the machine runs.
figures.push(['machine: cores, load average (1 min) at the end', `${availableParallelism()}, ${loadavg()[0]!.toFixed(1)}`]);
console.log('\nreplica figures:');
for (const [what, value] of figures) console.log(`  ${what.padEnd(58)} ${value}`);
if (failure) {
  console.error(`\nreplica: FAILED: ${failure instanceof Error ? failure.message : String(failure)}\n(full log: ${logFile}${down ? '' : `, container logs: ${logFile}.containers`})`);
  const lines = warnings(containerLogs);
  if (lines.length) console.error(`the services' last warnings and errors:\n${lines.join('\n')}`);
  process.exit(1);
}
console.log('\nreplica: passed');

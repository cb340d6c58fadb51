// `npm run bench [-- --quick]`: the course's load scenarios against the embedded stack,
// each beside its baseline (bare ffmpeg, plain PutObject) on the same machine, in the same run.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { migrate } from '../src/db/migrate.ts';
import { generatedUpload } from '../fixtures/generated-upload.ts';
import { runDatabase } from '../src/dev/services.ts';
import { startStack, type Stack } from '../src/dev/stack.ts';
import { freePorts } from '../src/dev/ports.ts';
import { directUploads } from './direct-upload.ts';
import { bareFfmpeg, courseMp3, encodeWav } from './media.ts';
import { machine, writeReport, type Results } from './report.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const WORK = join(ROOT, '.data/bench-media');
const quick = process.argv.includes('--quick');
const plan = quick
  ? { courseFiles: 6, encodeFiles: 4, levels: [4, 8, 16], levelSeconds: 5, listSeconds: 5 }
  : { courseFiles: 40, encodeFiles: 12, levels: [2, 4, 8, 16, 24, 32], levelSeconds: 15, listSeconds: 15 };
const parallel = cpus().length; // the worker's default WORKER_CONCURRENCY
const log = (line: string) => console.log(`[bench] ${line}`);

interface Load {
  requests: number;
  seconds: number;
  errors: number;
  meanMs: number;
  p95Ms: number;
}

async function load(options: Record<string, unknown>): Promise<Load> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load.ts'), JSON.stringify(options)], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Load;
}

async function emptyBucket(s3: S3Client, bucket: string) {
  for (;;) {
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const objects = (listing.Contents ?? []).map(({ Key }) => ({ Key }));
    if (objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
  }
}

async function api(stack: Stack) {
  const base = stack.urls.nginx ?? stack.urls[Object.keys(stack.urls).find((k) => k.startsWith('web:'))!]!;
  const username = `bench${Date.now()}`;
  const password = '%%MisO1234';
  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, email: `${username}@example.com`, password1: password, password2: password }) });
  if (signup.status !== 201) throw new Error(`signup: ${await signup.text()}`);
  const login = (await (await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json()) as { token: string };
  const authorization = `Bearer ${login.token}`;
  const upload = async (file: Buffer, fileName: string, newFormat: string) => {
    const form = new FormData();
    form.append('newFormat', newFormat);
    form.append('fileName', new Blob([new Uint8Array(file)]), fileName);
    const response = await fetch(`${base}/api/tasks`, { method: 'POST', headers: { authorization }, body: form });
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  };
  const statuses = async () => ((await (await fetch(`${base}/api/tasks?max=1000`, { headers: { authorization } })).json()) as Array<{ status: string }>).map((t) => t.status);
  return { base, authorization, upload, statuses };
}

/** Uploads `files` copies of input through the API (4 at a time) and waits until all are converted; files per minute. */
async function systemConversions(stack: Stack, input: string, newFormat: string, files: number): Promise<number> {
  const client = await api(stack);
  const bytes = await readFile(input);
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < files) {
      next++;
      await client.upload(bytes, input.split('/').pop()!, newFormat);
    }
  }));
  for (;;) {
    const statuses = await client.statuses();
    if (statuses.includes('failed')) throw new Error('a benchmark conversion failed');
    if (statuses.filter((s) => s === 'processed').length === files) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return files / ((performance.now() - started) / 60_000);
}

async function conversion(stack: Stack, s3: S3Client, name: 'course' | 'encode', input: string, format: 'wav' | 'mp3', files: number) {
  log(`${name}: ${files} files → ${format}, through the service`);
  const systemFilesPerMin = await systemConversions(stack, input, format, files);
  await emptyBucket(s3, stack.env.S3_BUCKET!);
  log(`${name}: the same with bare ffmpeg, ${parallel} at once`);
  const bareFfmpegFilesPerMin = await bareFfmpeg(input, format, files, parallel, join(WORK, `bare-${name}`));
  await rm(join(WORK, `bare-${name}`), { recursive: true, force: true });
  return { files, systemFilesPerMin, bareFfmpegFilesPerMin, ratio: systemFilesPerMin / bareFfmpegFilesPerMin };
}

/** Peak RSS (VmHWM) of a process in MB, reset first when asked (writing 5 to clear_refs). */
async function peakRssMb(pid: number, reset = false): Promise<number> {
  if (reset) await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => {});
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

log('building dist/ (the stack runs the compiled service, as production does)');
await run('npm', ['run', 'build'], { cwd: ROOT });
const [web1, web2, nginx, worker, s3Port, sesPort] = (await freePorts(6)) as [number, number, number, number, number, number];
const database = await runDatabase(process.env.DATABASE_URL, join(ROOT, '.data/bench-postgres'), 54322, 'cct_bench');
await migrate(database.url);
const stack = await startStack({
  env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: database.url, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000000', MAX_UPLOAD_BYTES: String(2 * 1024 ** 3) },
  ports: { web: [web1, web2], nginx, worker, s3: s3Port, ses: sesPort, postgres: 0 },
  log: () => {},
  compiled: true,
});
const s3 = new S3Client({ region: 'us-east-1', endpoint: stack.env.AWS_ENDPOINT_URL, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const settled = async (client: Awaited<ReturnType<typeof api>>) => {
  while ((await client.statuses()).some((s) => s === 'uploaded' || s === 'processing')) await new Promise((resolve) => setTimeout(resolve, 200));
};

try {
  const results: Results = { machine: await machine(quick) };

  log('list: a user with 100 tasks, 16 connections');
  const lister = await api(stack);
  const head = (await readFile(await courseMp3())).subarray(0, 64 * 1024);
  for (let i = 0; i < 100; i++) await lister.upload(head, `list-${i}.mp3`, 'wav');
  await settled(lister); // the worker converts them first, so it does not compete with the measurement
  const list = await load({ url: `${lister.base}/api/tasks?max=100`, headers: { authorization: lister.authorization }, connections: 16, seconds: plan.listSeconds });
  results.list = { requestsPerSec: list.requests / list.seconds, p95Ms: list.p95Ms, meanMs: list.meanMs, errors: list.errors };
  log(`list: ${results.list.requestsPerSec.toFixed(0)} req/s, p95 ${list.p95Ms} ms`);
  await emptyBucket(s3, stack.env.S3_BUCKET!);

  results.conversion = {
    course: await conversion(stack, s3, 'course', await courseMp3(), 'wav', plan.courseFiles),
    encode: await conversion(stack, s3, 'encode', await encodeWav(), 'mp3', plan.encodeFiles),
  };

  // From here the web tier alone is measured: the worker stops consuming.
  process.kill(stack.pids.worker!, 'SIGTERM');

  log('memory: one 1 GB upload through nginx');
  const uploader = await api(stack);
  const webPids = Object.entries(stack.pids).filter(([label]) => label.startsWith('web:')).map(([, pid]) => pid);
  await Promise.all(webPids.map((pid) => peakRssMb(pid, true)));
  const big = generatedUpload(1e9, 'one-gigabyte.wav');
  const bigResponse = await fetch(`${uploader.base}/api/tasks`, { method: 'POST', ...big, headers: { ...big.headers, authorization: uploader.authorization } });
  if (bigResponse.status !== 201) throw new Error(`1 GB upload: ${bigResponse.status} ${await bigResponse.text()}`);
  results.memory = { uploadBytes: 1e9, webPeakRssMb: Math.max(...(await Promise.all(webPids.map((pid) => peakRssMb(pid))))) };
  log(`memory: web peak RSS ${results.memory.webPeakRssMb.toFixed(0)} MB`);
  await emptyBucket(s3, stack.env.S3_BUCKET!);

  const course = await courseMp3();
  const fileBytes = (await readFile(course)).length;
  const form = new FormData();
  form.append('newFormat', 'wav');
  form.append('fileName', new Blob([new Uint8Array(await readFile(course))]), 'course.mp3');
  const prepared = new Response(form);
  const bodyFile = join(WORK, 'upload-body.bin');
  await writeFile(bodyFile, Buffer.from(await prepared.arrayBuffer()));
  const levels = [];
  for (const connections of plan.levels) {
    log(`upload: ${connections} connections`);
    const api5 = await load({ url: `${uploader.base}/api/tasks`, method: 'POST', headers: { authorization: uploader.authorization, 'content-type': prepared.headers.get('content-type')! }, bodyFile, connections, seconds: plan.levelSeconds });
    await emptyBucket(s3, stack.env.S3_BUCKET!);
    const direct = await load({ url: `${stack.env.AWS_ENDPOINT_URL}/${stack.env.S3_BUCKET}/direct/${fileBytes}`, method: 'PUT', bodyFile: course, connections, seconds: plan.levelSeconds });
    await emptyBucket(s3, stack.env.S3_BUCKET!);
    levels.push({ connections, requestsPerMin: (api5.requests / api5.seconds) * 60, meanMs: api5.meanMs, p95Ms: api5.p95Ms, errors: api5.errors, directS3RequestsPerMin: (direct.requests / direct.seconds) * 60, directErrors: direct.errors });
    log(`upload: ${levels.at(-1)!.requestsPerMin.toFixed(0)}/min (mean ${api5.meanMs.toFixed(0)} ms, p95 ${api5.p95Ms} ms, ${api5.errors} errors); PutObject ${levels.at(-1)!.directS3RequestsPerMin.toFixed(0)}/min`);
  }
  const passing = levels.filter((l) => l.meanMs < 1500 && l.p95Ms < 1000 && l.errors === 0);
  const best = passing.sort((a, b) => b.requestsPerMin - a.requestsPerMin)[0] ?? levels[0]!;
  results.upload = { fileBytes, ...best, ratio: best.requestsPerMin / best.directS3RequestsPerMin, withinTargets: passing.length > 0, levels };

  results.direct = await directUploads({
    base: uploader.base,
    authorization: uploader.authorization,
    bucketUrl: `${stack.env.AWS_ENDPOINT_URL}/${stack.env.S3_BUCKET}`,
    file: course,
    levels: plan.levels,
    seconds: plan.levelSeconds,
    webPids,
    emptyBucket: () => emptyBucket(s3, stack.env.S3_BUCKET!),
    log,
  });

  await writeReport(results, quick);
  log('wrote bench/results/latest.json and docs/benchmarks.md');
} finally {
  s3.destroy();
  await stack.stop();
  await database.stop();
}

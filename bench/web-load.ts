// Web-tier scenarios: the task list (full answers, 304s, and users with more tasks), uploads
// through the service beside plain PutObject, and the web tier's memory.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { generatedUpload } from '../fixtures/generated-upload.ts';
import { newUser, type User } from './client.ts';
import { courseMp3 } from './media.ts';
import { meter, peakRssMb, resetPeakRss, rssMb, type PartCpu } from './processes.ts';
import type { LoadOptions } from './load.ts';
import type { CpuUse } from './report.ts';
import type { BenchStack } from './stack.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const log = (line: string) => console.log(`[bench] ${line}`);
/** What a request costs the service: web processes, nginx and PostgreSQL. */
const serviceMs = (cpu: PartCpu, requests: number) => ((cpu.web + cpu.nginx + cpu.postgres) * 1000) / Math.max(1, requests);

interface Load {
  requests: number;
  seconds: number;
  errors: number;
  meanMs: number;
  p95Ms: number;
  statusCodes: Record<string, { count: number }>;
}

/** One autocannon run in a process of its own (bench/load.ts), metered. */
async function load(stack: BenchStack, options: LoadOptions): Promise<Load & { cpu: PartCpu }> {
  const m = meter(stack.processes);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/load.ts'), JSON.stringify(options)], { maxBuffer: 1 << 24 });
  const cpu = m.stop();
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Load), cpu };
}

/** Gives a user `count` finished tasks straight in the database (the list reads rows; no files are needed). */
async function seedTasks(databaseUrl: string, userId: number, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO tasks (user_id, file_name, source_format, target_format, options, status, progress, input_key, output_key,
         input_bytes, output_bytes, duration_seconds, enqueued_at, notified_at, updated_at, started_at, finished_at)
       SELECT $1::int, 'recording-' || i || '.mp3', 'mp3', 'wav', '{"sampleRate":44100}', 'processed', 100,
         'users/' || $1::int || '/tasks/0/original.mp3', 'users/' || $1::int || '/tasks/0/converted.v1.wav',
         4800000 + i, 52900000 + i, 300.04, now(), now(), now(), now(), now()
       FROM generate_series(1, $2) AS i`,
      [userId, count],
    );
    // Autovacuum would analyze within a minute; measured at once, stale statistics (35 rows
    // expected, 10,000 there) made the planner sort all of a user's tasks for a page of 100.
    await client.query('ANALYZE tasks');
  } finally {
    await client.end();
  }
}

async function userWithTasks(stack: BenchStack, count: number): Promise<User> {
  const user = await newUser(stack.base);
  await seedTasks(stack.databaseUrl, user.userId, count);
  return user;
}

/** GET /api/tasks?max=100 for a user with 100 tasks at 16 connections; then the same with If-None-Match when the list has an ETag. */
export async function list(stack: BenchStack, seconds: number) {
  log('list: a user with 100 tasks, 16 connections');
  const user = await userWithTasks(stack, 100);
  const url = `${stack.base}/api/tasks?max=100`;
  const full = await load(stack, { url, headers: { authorization: user.authorization }, connections: 16, seconds });
  const result = {
    requestsPerSec: full.requests / full.seconds,
    p95Ms: full.p95Ms,
    meanMs: full.meanMs,
    errors: full.errors,
    cpuMsPerRequest: serviceMs(full.cpu, full.requests),
    notModifiedCpuMsPerRequest: null as number | null,
    notModified: null as { requestsPerSec: number; p95Ms: number; errors: number } | null,
  };
  log(`list: ${result.requestsPerSec.toFixed(0)} req/s, p95 ${full.p95Ms} ms, ${full.errors} errors, ${result.cpuMsPerRequest.toFixed(2)} ms of service CPU a request`);
  const cpu: Record<string, CpuUse> = { list: { unit: 'request', units: full.requests, seconds: full.cpu } };
  const etag = (await fetch(url, { headers: { authorization: user.authorization } })).headers.get('etag');
  if (etag) {
    const polls = await load(stack, { url, headers: { authorization: user.authorization, 'if-none-match': etag }, connections: 16, seconds });
    if (!polls.statusCodes['304']) throw new Error(`If-None-Match did not give 304: ${JSON.stringify(polls.statusCodes)}`);
    result.notModifiedCpuMsPerRequest = serviceMs(polls.cpu, polls.requests);
    result.notModified = { requestsPerSec: polls.requests / polls.seconds, p95Ms: polls.p95Ms, errors: polls.errors };
    cpu.listNotModified = { unit: 'request', units: polls.requests, seconds: polls.cpu };
    log(`list, 304: ${result.notModified.requestsPerSec.toFixed(0)} req/s, ${result.notModifiedCpuMsPerRequest.toFixed(2)} ms of service CPU a request`);
  }
  return { list: result, cpu };
}

/** The first page of the list for users with more and more tasks: the cost of a request should stay flat. */
export async function listGrowth(stack: BenchStack, counts: number[], seconds: number) {
  const rows = [];
  for (const tasks of counts) {
    const user = await userWithTasks(stack, tasks);
    const r = await load(stack, { url: `${stack.base}/api/tasks`, headers: { authorization: user.authorization }, connections: 16, seconds });
    rows.push({ tasks, requestsPerSec: r.requests / r.seconds, p95Ms: r.p95Ms, errors: r.errors, cpuMsPerRequest: serviceMs(r.cpu, r.requests) });
    log(`list growth: ${tasks} tasks, ${rows.at(-1)!.requestsPerSec.toFixed(0)} req/s, ${rows.at(-1)!.cpuMsPerRequest.toFixed(2)} ms a request`);
  }
  return rows;
}

/** Web RSS at idle, then its peak while one 1 GB upload streams through nginx (worker stopped). */
export async function uploadMemory(stack: BenchStack) {
  log('memory: one 1 GB upload through nginx');
  const user = await newUser(stack.base);
  const web = stack.processes.web;
  const webIdleRssMb = Math.max(...web.map(rssMb));
  web.forEach(resetPeakRss);
  const big = generatedUpload(1e9, 'one-gigabyte.wav');
  const response = await fetch(`${stack.base}/api/tasks`, { method: 'POST', ...big, headers: { ...big.headers, authorization: user.authorization } });
  if (response.status !== 201) throw new Error(`1 GB upload: ${response.status} ${await response.text()}`);
  const webPeakRssMb = Math.max(...web.map(peakRssMb));
  log(`memory: web idle ${webIdleRssMb.toFixed(0)} MB, peak ${webPeakRssMb.toFixed(0)} MB`);
  await stack.emptyBucket();
  return { uploadBytes: 1e9, webIdleRssMb, webPeakRssMb };
}

/** 5 MB uploads through nginx at each concurrency, beside plain PutObject of the same bytes to the same S3 endpoint. */
export async function uploads(stack: BenchStack, levels: number[], seconds: number, workDir: string) {
  const user = await newUser(stack.base);
  const course = await courseMp3();
  const fileBytes = (await readFile(course)).length;
  const form = new FormData();
  form.append('newFormat', 'wav');
  form.append('fileName', new Blob([new Uint8Array(await readFile(course))]), 'course.mp3');
  const prepared = new Response(form);
  const bodyFile = join(workDir, 'upload-body.bin');
  await writeFile(bodyFile, Buffer.from(await prepared.arrayBuffer()));
  const rows = [];
  const cpu: Record<string, CpuUse> = {};
  for (const connections of levels) {
    log(`upload: ${connections} connections`);
    const api = await load(stack, { url: `${stack.base}/api/tasks`, method: 'POST', headers: { authorization: user.authorization, 'content-type': prepared.headers.get('content-type')! }, bodyFile, connections, seconds });
    await stack.emptyBucket();
    const direct = await load(stack, { url: `${stack.s3Endpoint}/${stack.bucket}/direct/${fileBytes}`, method: 'PUT', bodyFile: course, connections, seconds });
    await stack.emptyBucket();
    cpu[`upload${connections}`] = { unit: 'upload', units: api.requests, seconds: api.cpu };
    rows.push({
      connections,
      requestsPerMin: (api.requests / api.seconds) * 60,
      meanMs: api.meanMs,
      p95Ms: api.p95Ms,
      errors: api.errors,
      webCpuMsPerUpload: (api.cpu.web * 1000) / Math.max(1, api.requests),
      directS3RequestsPerMin: (direct.requests / direct.seconds) * 60,
      directErrors: direct.errors,
    });
    const row = rows.at(-1)!;
    log(`upload: ${row.requestsPerMin.toFixed(0)}/min (mean ${api.meanMs.toFixed(0)} ms, p95 ${api.p95Ms} ms, ${api.errors} errors, web ${row.webCpuMsPerUpload.toFixed(1)} ms each); PutObject ${row.directS3RequestsPerMin.toFixed(0)}/min`);
  }
  const passing = rows.filter((l) => l.meanMs < 1500 && l.p95Ms < 1000 && l.errors === 0);
  const best = [...passing].sort((a, b) => b.requestsPerMin - a.requestsPerMin)[0] ?? rows[0]!;
  return {
    upload: { fileBytes, ...best, ratio: best.requestsPerMin / best.directS3RequestsPerMin, withinTargets: passing.length > 0, levels: rows },
    cpu: { upload: cpu[`upload${best.connections}`]! },
  };
}

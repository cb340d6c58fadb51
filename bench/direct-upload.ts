// The direct-upload scenario (issue 13): 5 MB files straight to S3 with presigned URLs
// (POST /api/uploads, PUT, POST /api/tasks {uploadId}) beside plain PutObject of the same
// bytes to the same S3, at each concurrency, with the web processes' CPU per upload.
// run.ts calls directUploads() after its upload levels, with the worker stopped.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const LOAD = new URL('./direct-load.ts', import.meta.url).pathname;
/** Linux reports process CPU in clock ticks of 1/100 s. */
const TICK_MS = 10;

export interface DirectLevel {
  connections: number;
  requestsPerMin: number;
  putObjectRequestsPerMin: number;
  ratio: number;
  webCpuMsPerUpload: number;
  putObjectWebCpuMsPerUpload: number;
  errors: number;
}

export interface DirectResults {
  fileBytes: number;
  /** The level with the lowest ratio: the target holds at every level only if it holds there. */
  requestsPerMin: number;
  ratio: number;
  webCpuMsPerUpload: number;
  levels: DirectLevel[];
}

interface Setup {
  base: string;
  authorization: string;
  bucketUrl: string;
  file: string;
  levels: number[];
  seconds: number;
  webPids: number[];
  emptyBucket: () => Promise<void>;
  log: (line: string) => void;
}

/** User + system CPU of the processes so far, in ms (/proc/<pid>/stat fields 14 and 15). */
async function cpuMs(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}

async function level(setup: Setup, mode: 'direct' | 'put', connections: number) {
  const before = await cpuMs(setup.webPids);
  const options = { mode, base: setup.base, authorization: setup.authorization, bucketUrl: setup.bucketUrl, file: setup.file, connections, seconds: setup.seconds };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(options)], { maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { uploads: number; errors: number; firstError?: string; seconds: number };
  const webMs = (await cpuMs(setup.webPids)) - before;
  await setup.emptyBucket();
  if (result.firstError) setup.log(`direct (${mode}): ${result.errors} errors, first: ${result.firstError}`);
  return { perMin: (result.uploads / result.seconds) * 60, webMsPerUpload: webMs / Math.max(1, result.uploads), errors: result.errors };
}

export async function directUploads(setup: Setup): Promise<DirectResults> {
  // Not measured: the routes' first requests compile their code and queries.
  await level({ ...setup, seconds: 3 }, 'direct', 2);
  const levels: DirectLevel[] = [];
  for (const connections of setup.levels) {
    setup.log(`direct upload: ${connections} connections`);
    const direct = await level(setup, 'direct', connections);
    const plain = await level(setup, 'put', connections);
    levels.push({
      connections,
      requestsPerMin: direct.perMin,
      putObjectRequestsPerMin: plain.perMin,
      ratio: direct.perMin / plain.perMin,
      webCpuMsPerUpload: direct.webMsPerUpload,
      putObjectWebCpuMsPerUpload: plain.webMsPerUpload,
      errors: direct.errors + plain.errors,
    });
    const l = levels.at(-1)!;
    setup.log(`direct upload: ${l.requestsPerMin.toFixed(0)}/min, PutObject ${l.putObjectRequestsPerMin.toFixed(0)}/min (ratio ${l.ratio.toFixed(2)}), web CPU ${l.webCpuMsPerUpload.toFixed(2)} ms/upload`);
  }
  const worst = [...levels].sort((a, b) => a.ratio - b.ratio)[0]!;
  const fileBytes = (await readFile(setup.file)).length;
  return { fileBytes, requestsPerMin: worst.requestsPerMin, ratio: worst.ratio, webCpuMsPerUpload: Math.max(...levels.map((l) => l.webCpuMsPerUpload)), levels };
}

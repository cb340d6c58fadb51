// The direct-upload scenario (issue 13): 5 MB files straight to S3 with presigned URLs
// (POST /api/uploads, PUT, POST /api/tasks {uploadId}) beside plain PutObject of the same
// bytes to the same S3, at each concurrency of the upload scenario, with the CPU of every
// process per upload. Run with the worker stopped, as the other upload scenario.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { newUser } from './client.ts';
import { courseMp3 } from './media.ts';
import { meter } from './processes.ts';
import type { CpuUse } from './report.ts';
import type { BenchStack } from './stack.ts';

const run = promisify(execFile);
const LOAD = join(new URL('.', import.meta.url).pathname, 'direct-load.ts');
const log = (line: string) => console.log(`[bench] ${line}`);

export interface DirectLevel {
  connections: number;
  requestsPerMin: number;
  putObjectRequestsPerMin: number;
  ratio: number;
  webCpuMsPerUpload: number;
  putObjectWebCpuMsPerUpload: number;
  errors: number;
}

/** One level in a process of its own (direct-load.ts), metered: uploads per minute and CPU per upload. */
async function level(stack: BenchStack, options: { mode: 'direct' | 'put'; authorization: string; file: string; connections: number; seconds: number }) {
  const m = meter(stack.processes);
  const args = { ...options, base: stack.base, bucketUrl: `${stack.s3Endpoint}/${stack.bucket}` };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', LOAD, JSON.stringify(args)], { maxBuffer: 1 << 20 });
  const cpu = m.stop();
  await stack.emptyBucket();
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as { uploads: number; errors: number; firstError?: string; seconds: number };
  if (result.firstError) log(`direct (${options.mode}): ${result.errors} errors, first: ${result.firstError}`);
  return { ...result, perMin: (result.uploads / result.seconds) * 60, webCpuMs: (cpu.web * 1000) / Math.max(1, result.uploads), use: { unit: 'upload', units: result.uploads, seconds: cpu } satisfies CpuUse };
}

export async function directUploads(stack: BenchStack, levels: number[], seconds: number) {
  const user = await newUser(stack.base);
  const file = await courseMp3();
  const common = { authorization: user.authorization, file };
  // Not measured: the routes' first requests compile their code and queries, and V8 optimizes them only
  // after some hundreds of calls (800 uploads at 2 connections cost the web 6.2 ms each, the next 800 4.6).
  await level(stack, { ...common, mode: 'direct', connections: levels[0]!, seconds: Math.max(seconds, 10) });
  const rows: DirectLevel[] = [];
  const cpu: Record<string, { direct: CpuUse; put: CpuUse }> = {};
  for (const connections of levels) {
    log(`direct upload: ${connections} connections`);
    const direct = await level(stack, { ...common, mode: 'direct', connections, seconds });
    const put = await level(stack, { ...common, mode: 'put', connections, seconds });
    cpu[connections] = { direct: direct.use, put: put.use };
    const row = {
      connections,
      requestsPerMin: direct.perMin,
      putObjectRequestsPerMin: put.perMin,
      ratio: direct.perMin / put.perMin,
      webCpuMsPerUpload: direct.webCpuMs,
      putObjectWebCpuMsPerUpload: put.webCpuMs,
      errors: direct.errors + put.errors,
    };
    rows.push(row);
    log(`direct upload: ${row.requestsPerMin.toFixed(0)}/min, PutObject ${row.putObjectRequestsPerMin.toFixed(0)}/min (ratio ${row.ratio.toFixed(2)}), web CPU ${row.webCpuMsPerUpload.toFixed(2)} ms/upload (PutObject ${row.putObjectWebCpuMsPerUpload.toFixed(2)} ms)`);
  }
  // The targets hold at every level only if they hold at the worst one.
  const worst = [...rows].sort((a, b) => a.ratio - b.ratio)[0]!;
  return {
    direct: {
      fileBytes: (await stat(file)).size,
      requestsPerMin: worst.requestsPerMin,
      ratio: worst.ratio,
      webCpuMsPerUpload: Math.max(...rows.map((l) => l.webCpuMsPerUpload)),
      worstConnections: worst.connections,
      levels: rows,
    },
    cpu: { directUpload: cpu[worst.connections]!.direct, directPutObject: cpu[worst.connections]!.put },
  };
}

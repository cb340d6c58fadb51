// Conversion scenarios: throughput and CPU per file against bare ffmpeg, the fixed cost of a
// task, time to result, and how CPU and memory grow with the input's size.
import { stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { newUser, uploadCopies } from './client.ts';
import { bareFfmpeg, shortMp3, shortWav, sizedWav } from './media.ts';
import { meter, peakRssMb, resetPeakRss, type PartCpu } from './processes.ts';
import type { CpuUse } from './report.ts';
import type { BenchStack } from './stack.ts';

const parallel = cpus().length; // the worker's default WORKER_CONCURRENCY
const log = (line: string) => console.log(`[bench] ${line}`);
/** The worker and its ffmpeg/ffprobe children: what a conversion costs the service. */
const serviceSeconds = (cpu: PartCpu) => cpu.worker + cpu.ffmpeg;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** `files` copies of input uploaded 4 at a time, until all are converted; beside bare ffmpeg with the worker's parallelism. */
export async function conversion(stack: BenchStack, name: string, input: string, format: 'wav' | 'mp3', files: number) {
  log(`${name}: ${files} files → ${format}, through the service`);
  const user = await newUser(stack.base);
  const m = meter(stack.processes);
  const started = performance.now();
  await uploadCopies(user, input, format, files, 4);
  await user.allProcessed(files);
  const systemFilesPerMin = files / ((performance.now() - started) / 60_000);
  await stack.workerIdle();
  const cpu = m.stop();
  await stack.emptyBucket();
  log(`${name}: the same with bare ffmpeg, ${parallel} at once`);
  const bare = await bareFfmpeg(input, format, files, parallel);
  const serviceCpuSPerFile = serviceSeconds(cpu) / files;
  log(`${name}: ${systemFilesPerMin.toFixed(0)} files/min (bare ${bare.filesPerMin.toFixed(0)}); CPU per file ${serviceCpuSPerFile.toFixed(3)} s (bare ${bare.cpuSPerFile.toFixed(3)} s)`);
  return {
    conversion: { files, systemFilesPerMin, bareFfmpegFilesPerMin: bare.filesPerMin, ratio: systemFilesPerMin / bare.filesPerMin },
    cost: { serviceCpuSPerFile, bareCpuSPerFile: bare.cpuSPerFile, cpuRatio: serviceCpuSPerFile / bare.cpuSPerFile },
    cpu: { unit: 'file', units: files, seconds: cpu } satisfies CpuUse,
  };
}

/** Tasks on a 5 s wav → mp3, one after another: the worker's CPU per task beyond bare ffmpeg's for the same file. */
export async function fixedCost(stack: BenchStack, tasks: number) {
  log(`fixed cost: ${tasks} tasks of a 5 s wav → mp3, one at a time`);
  const input = await shortWav(5);
  const user = await newUser(stack.base);
  const m = meter(stack.processes);
  for (let i = 0; i < tasks; i++) await user.processed((await user.uploadFile(input, 'mp3')).id);
  await stack.workerIdle();
  const cpu = m.stop();
  await stack.emptyBucket();
  const bare = await bareFfmpeg(input, 'mp3', tasks, 1);
  const perTaskMs = (seconds: number) => (seconds * 1000) / tasks;
  const fixedTaskCpuMs = perTaskMs(serviceSeconds(cpu)) - bare.cpuSPerFile * 1000;
  log(`fixed cost: ${fixedTaskCpuMs.toFixed(0)} ms per task beyond ffmpeg (worker ${perTaskMs(cpu.worker).toFixed(0)} ms, its children ${perTaskMs(cpu.ffmpeg).toFixed(0)} ms, bare ffmpeg ${(bare.cpuSPerFile * 1000).toFixed(0)} ms)`);
  return {
    fixedTaskCpuMs,
    fixedTask: { tasks, workerCpuMsPerTask: perTaskMs(cpu.worker), childrenCpuMsPerTask: perTaskMs(cpu.ffmpeg), bareCpuMsPerTask: bare.cpuSPerFile * 1000 },
    cpu: { unit: 'task', units: tasks, seconds: cpu } satisfies CpuUse,
  };
}

/** 10 s mp3 → mp3 tasks one after another: from the upload's 201 until the task's finishedAt, minus bare ffmpeg's time. */
export async function timeToResult(stack: BenchStack, tasks: number) {
  log(`time to result: ${tasks} sequential 10 s mp3 → mp3`);
  const input = await shortMp3(10);
  const user = await newUser(stack.base);
  const ms: number[] = [];
  for (let i = 0; i < tasks; i++) {
    const { id } = await user.uploadFile(input, 'mp3');
    const answered = Date.now();
    const done = await user.processed(id, 10);
    ms.push(Date.parse(done.finishedAt!) - answered);
  }
  await stack.workerIdle();
  await stack.emptyBucket();
  const bare = await bareFfmpeg(input, 'mp3', 10, 1);
  ms.sort((a, b) => a - b);
  const bareMs = percentile([...bare.runMs].sort((a, b) => a - b), 0.5);
  const result = { tasks, p50Ms: percentile(ms, 0.5), p95Ms: percentile(ms, 0.95), bareMs, p50OverheadMs: percentile(ms, 0.5) - bareMs, p95OverheadMs: percentile(ms, 0.95) - bareMs };
  log(`time to result: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms; bare ffmpeg ${bareMs.toFixed(0)} ms`);
  return result;
}

/** One wav → mp3 task per input size: CPU per file and per MB, and the worker's and web tier's peak memory. */
export async function conversionGrowth(stack: BenchStack, sizes: number[]) {
  const rows = [];
  const user = await newUser(stack.base);
  for (const size of sizes) {
    const input = await sizedWav(size);
    const inputBytes = (await stat(input)).size;
    log(`growth: one ${(inputBytes / 1e6).toFixed(0)} MB wav → mp3`);
    const pids = [stack.processes.worker, ...stack.processes.web];
    pids.forEach(resetPeakRss);
    const m = meter(stack.processes);
    await user.processed((await user.uploadFile(input, 'mp3')).id, 100);
    await stack.workerIdle();
    const cpu = m.stop();
    const workerPeakRssMb = peakRssMb(stack.processes.worker);
    const webPeakRssMb = Math.max(...stack.processes.web.map(peakRssMb));
    await stack.emptyBucket();
    const bare = await bareFfmpeg(input, 'mp3', 1, 1);
    rows.push({ inputBytes, serviceCpuSPerFile: serviceSeconds(cpu), bareCpuSPerFile: bare.cpuSPerFile, cpuMsPerMB: (serviceSeconds(cpu) * 1000) / (inputBytes / 1e6), workerPeakRssMb, webPeakRssMb, cpu: { unit: 'file', units: 1, seconds: cpu } satisfies CpuUse });
    log(`growth: ${serviceSeconds(cpu).toFixed(2)} s (bare ${bare.cpuSPerFile.toFixed(2)} s), worker peak ${workerPeakRssMb.toFixed(0)} MB, web peak ${webPeakRssMb.toFixed(0)} MB`);
  }
  return rows;
}

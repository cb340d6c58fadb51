// Writes bench/results/latest.json, docs/benchmarks.md and its SVG charts from one run's results.
// docs/benchmarks.md keeps what is written below its FINDINGS marker (the analysis, by hand).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { DirectLevel } from './direct-upload.ts';
import { PART_LABELS, PARTS, type PartCpu } from './processes.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const FINDINGS = '<!-- findings: written by hand, kept by bench/report.ts -->';

/** CPU-seconds of each part during one scenario, and how many units (files, requests) it did. */
export interface CpuUse {
  unit: string;
  units: number;
  seconds: PartCpu;
}

interface Conversion {
  files: number;
  systemFilesPerMin: number;
  bareFfmpegFilesPerMin: number;
  ratio: number;
}

interface Cost {
  serviceCpuSPerFile: number;
  bareCpuSPerFile: number;
  cpuRatio: number;
}

interface UploadLevel {
  connections: number;
  requestsPerMin: number;
  meanMs: number;
  p95Ms: number;
  errors: number;
  webCpuMsPerUpload: number;
  directS3RequestsPerMin: number;
}

export interface Results {
  machine: Record<string, string | number>;
  conversion?: { course: Conversion; encode: Conversion };
  cost?: { course: Cost; encode: Cost; fixedTaskCpuMs: number; fixedTask: { tasks: number; workerCpuMsPerTask: number; childrenCpuMsPerTask: number; bareCpuMsPerTask: number } };
  latency?: { tasks: number; p50Ms: number; p95Ms: number; bareMs: number; p50OverheadMs: number; p95OverheadMs: number };
  upload?: UploadLevel & { fileBytes: number; ratio: number; withinTargets: boolean; levels: UploadLevel[] };
  /** Uploads straight to S3 (presigned URLs), at the level where they do worst against plain PutObject; null until measured. */
  direct: { requestsPerMin: number | null; ratio: number | null; webCpuMsPerUpload: number | null; fileBytes?: number; worstConnections?: number; levels?: DirectLevel[] };
  list?: { requestsPerSec: number; p95Ms: number; meanMs: number; errors: number; cpuMsPerRequest: number; notModifiedCpuMsPerRequest: number | null; notModified: { requestsPerSec: number; p95Ms: number; errors: number } | null };
  memory?: { uploadBytes: number; webIdleRssMb: number; webPeakRssMb: number; workerPeakRssMb: number };
  growth?: {
    conversion: Array<{ inputBytes: number; serviceCpuSPerFile: number; bareCpuSPerFile: number; cpuMsPerMB: number; workerPeakRssMb: number; webPeakRssMb: number }>;
    list: Array<{ tasks: number; requestsPerSec: number; p95Ms: number; errors: number; cpuMsPerRequest: number }>;
  };
  /** Per scenario: CPU-seconds of each process group. */
  cpu: Record<string, CpuUse>;
}

const firstLine = (command: string, args: string[]) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch (error) {
    return ((error as { stderr?: string }).stderr ?? 'not found').split('\n')[0]!.trim();
  }
};

export function machine(quick: boolean): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    ffmpeg: firstLine('ffmpeg', ['-version']),
    nginx: execFileSync('sh', ['-c', 'nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1'], { encoding: 'utf8' }).trim(),
    postgres: process.env.DATABASE_URL ? "the machine's PostgreSQL (DATABASE_URL)" : 'embedded PostgreSQL',
    s3AndSqs: 'fauxqs 1.9 and aws-ses-v2-local in a process of their own, on the same cores',
    loadAverageAtStart: (execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ')[0] ?? '?'),
    mode: quick ? 'quick' : 'full',
    date: new Date().toISOString(),
  };
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

function throughputChart(r: Required<Results>): string {
  const rows: Array<[string, string, number, string, number]> = [
    ['course: 5 MB mp3 → wav (files/min)', 'service', r.conversion.course.systemFilesPerMin, 'bare ffmpeg', r.conversion.course.bareFfmpegFilesPerMin],
    ['encode: 5 min wav → mp3 (files/min)', 'service', r.conversion.encode.systemFilesPerMin, 'bare ffmpeg', r.conversion.encode.bareFfmpegFilesPerMin],
    ['uploads of 5 MB (requests/min)', 'POST /api/tasks', r.upload.requestsPerMin, 'plain PutObject', r.upload.directS3RequestsPerMin],
  ];
  const parts: string[] = [];
  rows.forEach(([title, aLabel, a, bLabel, b], i) => {
    const y = 20 + i * 90;
    const scale = 380 / Math.max(a, b, 1);
    parts.push(`<text x="10" y="${y}" font-weight="bold">${title}</text>`);
    parts.push(`<rect x="130" y="${y + 10}" width="${(a * scale).toFixed(1)}" height="22" fill="#2b6cb0"/><text x="10" y="${y + 26}">${aLabel}</text><text x="${(136 + a * scale).toFixed(1)}" y="${y + 26}">${f0(a)}</text>`);
    parts.push(`<rect x="130" y="${y + 38}" width="${(b * scale).toFixed(1)}" height="22" fill="#a0aec0"/><text x="10" y="${y + 54}">${bLabel}</text><text x="${(136 + b * scale).toFixed(1)}" y="${y + 54}">${f0(b)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="290" font-family="sans-serif" font-size="13">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

const COLOURS: Record<(typeof PARTS)[number], string> = { web: '#2b6cb0', worker: '#d69e2e', ffmpeg: '#ecc94b', nginx: '#38a169', postgres: '#805ad5', emulator: '#e53e3e', loadGenerator: '#a0aec0' };

/** Where the CPU goes: one 100 % bar per scenario, split by process group, with the total per unit. */
function cpuChart(r: Required<Results>): string {
  const scenarios = Object.entries(r.cpu);
  const parts: string[] = [];
  scenarios.forEach(([name, use], i) => {
    const y = 30 + i * 34;
    const sum = PARTS.reduce((s, p) => s + use.seconds[p], 0) || 1;
    let x = 150;
    parts.push(`<text x="10" y="${y + 15}">${name}</text>`);
    for (const p of PARTS) {
      const w = (use.seconds[p] / sum) * 360;
      if (w > 0) parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="22" fill="${COLOURS[p]}"><title>${PART_LABELS[p]}: ${f1((use.seconds[p] / use.units) * 1000)} ms per ${use.unit}</title></rect>`);
      x += w;
    }
    parts.push(`<text x="518" y="${y + 15}">${f1((sum / use.units) * 1000)} ms/${use.unit}</text>`);
  });
  const legendY = 40 + scenarios.length * 34;
  PARTS.forEach((p, i) => {
    const x = 10 + (i % 3) * 215;
    const y = legendY + Math.floor(i / 3) * 20;
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${COLOURS[p]}"/><text x="${x + 17}" y="${y + 11}" font-size="11">${PART_LABELS[p]}</text>`);
  });
  const height = legendY + 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="660" height="${height}" font-family="sans-serif" font-size="13">\n<rect width="100%" height="100%" fill="white"/>\n<text x="10" y="16" font-weight="bold">Where the CPU goes, per scenario (share of each process group; total CPU per unit at the right)</text>\n${parts.join('\n')}\n</svg>\n`;
}

function costTable(r: Required<Results>): string {
  const head = `| scenario | unit | ${PARTS.map((p) => PART_LABELS[p]).join(' | ')} | all |\n|---|---|${PARTS.map(() => '---|').join('')}---|`;
  const rows = Object.entries(r.cpu).map(([name, use]) => {
    const per = (s: number) => f1((s / use.units) * 1000);
    const sum = PARTS.reduce((s, p) => s + use.seconds[p], 0);
    return `| ${name} | ${use.unit} (${use.units}) | ${PARTS.map((p) => per(use.seconds[p])).join(' | ')} | ${per(sum)} |`;
  });
  return [head, ...rows].join('\n');
}

function directRow(d: Results['direct']): string {
  if (d.requestsPerMin === null || d.ratio === null || d.webCpuMsPerUpload === null) return 'direct uploads to S3 | not measured | | |';
  const ok = d.levels!.every((l) => l.ratio >= 0.9 && l.webCpuMsPerUpload <= 3);
  return `direct uploads of ${mb(d.fileBytes!)} to S3 (presigned PUT + 2 API requests; worst level: ${d.worstConnections} connections) | ${f0(d.requestsPerMin)}/min; web CPU ≤ ${f1(d.webCpuMsPerUpload)} ms/upload at every level | plain PutObject, same client | ${f2(d.ratio)} | ≥ 0.9× at every level, web ≤ 3 ms: ${met(ok)}`;
}

function directLevels(d: Results['direct']): string {
  if (!d.levels) return '';
  return `Direct upload levels (the same client for both paths; CPU of the web processes per upload):

| connections | direct/min | PutObject/min | ratio | errors | web CPU ms/direct upload | web CPU ms/PutObject |
|---|---|---|---|---|---|---|
${d.levels.map((l) => `| ${l.connections} | ${f0(l.requestsPerMin)} | ${f0(l.putObjectRequestsPerMin)} | ${f2(l.ratio)} | ${l.errors} | ${f2(l.webCpuMsPerUpload)} | ${f2(l.putObjectWebCpuMsPerUpload)} |`).join('\n')}
`;
}

async function keptFindings(): Promise<string> {
  const path = `${ROOT}docs/benchmarks.md`;
  if (!existsSync(path)) return '';
  const text = await readFile(path, 'utf8');
  const at = text.indexOf(FINDINGS);
  return at < 0 ? '' : text.slice(at + FINDINGS.length).trimStart();
}

export async function writeReport(results: Results, quick: boolean): Promise<void> {
  const r = results as Required<Results>;
  await mkdir(`${ROOT}bench/results`, { recursive: true });
  await writeFile(`${ROOT}bench/results/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(`${ROOT}docs/benchmarks.svg`, throughputChart(r));
  await writeFile(`${ROOT}docs/benchmarks-cpu.svg`, cpuChart(r));
  const { course, encode } = r.conversion;
  const m = r.machine;
  const l = r.list;
  const markdown = `# Benchmarks

Produced by \`npm run bench${quick ? ' -- --quick' : ''}\` (${m.mode} run, ${m.date}, load average ${m.loadAverageAtStart} at start on a machine
shared with other work). \`npm run bench\` runs the full set, \`npm run bench -- --quick\` a shorter one (fewer files, shorter loads),
\`npm run bench -- --cpu-prof\` also writes CPU profiles of the web processes and the worker to \`.data/bench-profiles/\`.
Raw figures: \`bench/results/latest.json\` (not committed; made by each run). Each figure stands beside its baseline measured in the same run.

![service against baselines](benchmarks.svg)

| scenario | service | baseline | ratio | target |
|---|---|---|---|---|
| course: ${course.files} × 5 MB mp3 → wav | ${f0(course.systemFilesPerMin)} files/min; worker CPU ${f2(r.cost.course.serviceCpuSPerFile)} s/file | bare ffmpeg ×${m.cores}: ${f0(course.bareFfmpegFilesPerMin)} files/min; ${f2(r.cost.course.bareCpuSPerFile)} s/file | CPU ${f2(r.cost.course.cpuRatio)} | CPU ratio ≤ 1.5: ${met(r.cost.course.cpuRatio <= 1.5)} |
| encode: ${encode.files} × 5 min wav → mp3 | ${f0(encode.systemFilesPerMin)} files/min; worker CPU ${f2(r.cost.encode.serviceCpuSPerFile)} s/file | bare ffmpeg ×${m.cores}: ${f0(encode.bareFfmpegFilesPerMin)} files/min; ${f2(r.cost.encode.bareCpuSPerFile)} s/file | CPU ${f2(r.cost.encode.cpuRatio)} | CPU ratio ≤ 1.05: ${met(r.cost.encode.cpuRatio <= 1.05)} |
| fixed cost of a task (${r.cost.fixedTask.tasks} × 5 s wav → mp3) | worker ${f0(r.cost.fixedTask.workerCpuMsPerTask)} ms + children ${f0(r.cost.fixedTask.childrenCpuMsPerTask)} ms per task | bare ffmpeg ${f0(r.cost.fixedTask.bareCpuMsPerTask)} ms | ${f0(r.cost.fixedTaskCpuMs)} ms beyond ffmpeg | ≤ 60 ms: ${met(r.cost.fixedTaskCpuMs <= 60)} |
| time to result (${r.latency.tasks} sequential 10 s mp3 → mp3) | p50 ${f0(r.latency.p50Ms)} ms, p95 ${f0(r.latency.p95Ms)} ms | bare ffmpeg ${f0(r.latency.bareMs)} ms | overhead p50 ${f0(r.latency.p50OverheadMs)} ms, p95 ${f0(r.latency.p95OverheadMs)} ms | p50 overhead ≤ 150 ms: ${met(r.latency.p50OverheadMs <= 150)} |
| GET /api/tasks, 100 tasks, 16 connections | ${f0(l.requestsPerSec)} req/s, p95 ${f1(l.p95Ms)} ms, ${l.errors} errors; ${f2(l.cpuMsPerRequest)} ms CPU/request | | | ≥ 2,000/s, p95 ≤ 15 ms, 0 errors: ${met(l.requestsPerSec >= 2000 && l.p95Ms <= 15 && l.errors === 0)} |
| the same polled with If-None-Match (304) | ${l.notModified ? `${f0(l.notModified.requestsPerSec)} req/s, p95 ${f1(l.notModified.p95Ms)} ms; ${f2(l.notModifiedCpuMsPerRequest!)} ms CPU/request` : 'no ETag yet'} | | | |
| uploads of ${mb(r.upload.fileBytes)} through nginx (${r.upload.connections} connections, mean ${f0(r.upload.meanMs)} ms, p95 ${f0(r.upload.p95Ms)} ms, ${r.upload.errors} errors) | ${f0(r.upload.requestsPerMin)}/min; web CPU ${f1(r.upload.webCpuMsPerUpload)} ms/upload | plain PutObject: ${f0(r.upload.directS3RequestsPerMin)}/min | ${f2(r.upload.ratio)} | ≥ 2,700/min, web ≤ 15 ms: ${met(r.upload.requestsPerMin >= 2700 && r.upload.webCpuMsPerUpload <= 15)} |
| ${directRow(r.direct)} |
| web RSS idle / peak during a 1 GB upload | ${f0(r.memory.webIdleRssMb)} / ${f0(r.memory.webPeakRssMb)} MB | | | peak ≤ 150 MB: ${met(r.memory.webPeakRssMb <= 150)} |
| worker peak RSS during a 1 GB conversion | ${f0(r.memory.workerPeakRssMb)} MB | | | ≤ 200 MB: ${met(r.memory.workerPeakRssMb <= 200)} |

Service CPU is the worker and its ffmpeg/ffprobe children for conversions, and web + nginx + PostgreSQL for requests.

## Cost per process

CPU milliseconds (user + system, children included) per unit of work, by process group:

![where the CPU goes](benchmarks-cpu.svg)

${costTable(r)}

## How cost grows with work

| input (wav → mp3) | service CPU | bare ffmpeg CPU | service CPU per MB | worker peak RSS | web peak RSS |
|---|---|---|---|---|---|
${r.growth.conversion.map((g) => `| ${mb(g.inputBytes)} | ${f2(g.serviceCpuSPerFile)} s | ${f2(g.bareCpuSPerFile)} s | ${f1(g.cpuMsPerMB)} ms | ${f0(g.workerPeakRssMb)} MB | ${f0(g.webPeakRssMb)} MB |`).join('\n')}

| tasks of the user (GET /api/tasks, first page of 100) | req/s | p95 ms | errors | service CPU per request |
|---|---|---|---|---|
${r.growth.list.map((g) => `| ${g.tasks} | ${f0(g.requestsPerSec)} | ${f1(g.p95Ms)} | ${g.errors} | ${f2(g.cpuMsPerRequest)} ms |`).join('\n')}

Upload levels (the best level with mean < 1.5 s, p95 < 1 s and no errors is the one above${r.upload.withinTargets ? '' : '; **no level met those limits**, the first is shown'}):

| connections | requests/min | mean ms | p95 ms | errors | web CPU ms/upload | PutObject/min |
|---|---|---|---|---|---|---|
${r.upload.levels.map((u) => `| ${u.connections} | ${f0(u.requestsPerMin)} | ${f0(u.meanMs)} | ${f0(u.p95Ms)} | ${u.errors} | ${f1(u.webCpuMsPerUpload)} | ${f0(u.directS3RequestsPerMin)} |`).join('\n')}

${directLevels(r.direct)}
## How it is measured
- The embedded stack (\`src/dev/stack.ts\`) running the compiled service: nginx, 2 web processes, 1 worker (concurrency = cores), PostgreSQL
  (a database of the run's own), and the S3/SQS/SES emulators in a process of their own (\`bench/emulators.ts\`). Everything shares the
  machine's ${m.cores} cores, load generator included, and the machine may be running other work: compare figures within one run.
- CPU (\`bench/processes.ts\`): \`/proc/<pid>/stat\` utime + stime + cutime + cstime of each process, read before and after each scenario.
  The worker's children (ffmpeg, ffprobe) are counted when they exit; each scenario ends only when the worker holds no message. PostgreSQL
  is the backends serving the run's database, sampled every 200 ms as pools open and close them (its background writers are not counted).
- Conversions: files/min from the first upload until every task is \`processed\`, against bare ffmpeg doing the same conversions with the
  same codec settings and parallelism on local files (its CPU is this process's children's). Inputs are generated: a 440 Hz tone plus pink noise.
- Time to result: from the upload's 201 until the task's \`finishedAt\`, one task at a time, minus the median time of bare ffmpeg on the same file.
- List: autocannon (\`bench/load.ts\`, its own process) at 16 connections through nginx; the tasks are inserted straight into the database.
- Uploads: autocannon posts the same multipart body through nginx with the worker stopped, so the web tier alone is measured; then plain
  PutObject of the same bytes to the same S3 endpoint at the same concurrency. The bucket is emptied between levels.
- Direct uploads (\`bench/direct-upload.ts\`): a client of its own (\`bench/direct-load.ts\`, fetch) asks POST /api/uploads through nginx,
  PUTs the bytes to the presigned URL (the emulator), and creates the task with POST /api/tasks {uploadId}; the same client PUTs the same
  bytes as plain PutObject at the same concurrency, so the ratio compares the paths, not the load generators. Worker stopped.
- Memory: VmRSS of the web processes at idle; peaks are VmHWM, reset before the upload or conversion.

## Machine
${Object.entries(m).map(([k, v]) => `- ${k}: ${v}`).join('\n')}

${FINDINGS}

${await keptFindings()}`;
  await writeFile(`${ROOT}docs/benchmarks.md`, markdown);
}

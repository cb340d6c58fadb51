// `npm run bench [-- --quick] [-- --cpu-prof] [-- --only=direct,list]`: the load scenarios against the
// embedded stack, each beside its baseline (bare ffmpeg, plain PutObject) in the same run, with the CPU
// of every process. `--only` runs some scenarios (list, conversions, uploads, direct) and prints their
// figures without writing the report, which needs them all: for profiling one path.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conversion, conversionGrowth, fixedCost, timeToResult } from './conversions.ts';
import { directUploads } from './direct-upload.ts';
import { courseMp3, encodeWav } from './media.ts';
import { machine, writeReport, type Results } from './report.ts';
import { startBenchStack } from './stack.ts';
import { list, listGrowth, uploadMemory, uploads } from './web-load.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const WORK = join(ROOT, '.data/bench-media');
const PROFILES = join(ROOT, '.data/bench-profiles');
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--cpu-prof');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (scenario: 'list' | 'conversions' | 'uploads' | 'direct') => !only || only.includes(scenario);
const plan = quick
  ? { courseFiles: 6, encodeFiles: 4, fixedTasks: 10, latencyTasks: 50, levels: [4, 8, 16], levelSeconds: 5, listSeconds: 5, growthSeconds: 3 }
  : { courseFiles: 40, encodeFiles: 12, fixedTasks: 30, latencyTasks: 50, levels: [2, 4, 8, 16, 24, 32], levelSeconds: 15, listSeconds: 15, growthSeconds: 10 };
const GROWTH_BYTES = [1e6, 1e7, 1e8, 1e9];
const GROWTH_TASKS = [10, 100, 10_000];
const log = (line: string) => console.log(`[bench] ${line}`);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // the SDK's notice, once per process, is noise here

log('building dist/ (the stack runs the compiled service, as production does)');
if (profile) {
  await rm(PROFILES, { recursive: true, force: true });
  await mkdir(PROFILES, { recursive: true });
}
await mkdir(WORK, { recursive: true });
const [course, encode] = [await courseMp3(), await encodeWav()];
const stack = await startBenchStack(profile ? PROFILES : undefined);
try {
  const results: Results = { machine: machine(quick), direct: { requestsPerMin: null, ratio: null, webCpuMsPerUpload: null }, cpu: {} };

  if (wanted('list')) {
    const listed = await list(stack, plan.listSeconds);
    results.list = listed.list;
    Object.assign(results.cpu, listed.cpu);
    results.growth = { conversion: [], list: await listGrowth(stack, GROWTH_TASKS, plan.growthSeconds) };
  }

  let workerPeakRssMb = 0;
  if (wanted('conversions')) {
    const courseRun = await conversion(stack, 'course', course, 'wav', plan.courseFiles);
    const encodeRun = await conversion(stack, 'encode', encode, 'mp3', plan.encodeFiles);
    results.conversion = { course: courseRun.conversion, encode: encodeRun.conversion };
    const fixed = await fixedCost(stack, plan.fixedTasks);
    results.cost = { course: courseRun.cost, encode: encodeRun.cost, fixedTaskCpuMs: fixed.fixedTaskCpuMs, fixedTask: fixed.fixedTask };
    Object.assign(results.cpu, { course: courseRun.cpu, encode: encodeRun.cpu, fixedTask: fixed.cpu });
    results.latency = await timeToResult(stack, plan.latencyTasks);
    const growth = await conversionGrowth(stack, GROWTH_BYTES);
    results.growth = { list: [], ...results.growth, conversion: growth.map(({ cpu: _cpu, ...row }) => row) };
    results.cpu.convert1GB = growth.at(-1)!.cpu;
    workerPeakRssMb = growth.at(-1)!.workerPeakRssMb;
  }

  // From here the web tier alone is measured: the worker stops consuming.
  await stack.stopWorker();
  if (wanted('uploads')) {
    results.memory = { ...(await uploadMemory(stack)), workerPeakRssMb };
    const uploaded = await uploads(stack, plan.levels, plan.levelSeconds, WORK);
    results.upload = uploaded.upload;
    Object.assign(results.cpu, uploaded.cpu);
  }
  if (wanted('direct')) {
    const direct = await directUploads(stack, plan.levels, plan.levelSeconds);
    results.direct = direct.direct;
    Object.assign(results.cpu, direct.cpu);
  }

  if (only) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    await writeReport(results, quick);
    log('wrote bench/results/latest.json and docs/benchmarks.md');
  }
} finally {
  await stack.stop();
}

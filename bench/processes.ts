// CPU-seconds and memory of each part of the stack, read from /proc: user + system time,
// children included (a process's children count once they have exited and been waited for).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const PG_SAMPLE_MS = 200;

export const PARTS = ['web', 'worker', 'ffmpeg', 'nginx', 'postgres', 'emulator', 'loadGenerator'] as const;
export type Part = (typeof PARTS)[number];
export type PartCpu = Record<Part, number>;

/** Labels for reports: what each part is made of. */
export const PART_LABELS: Record<Part, string> = {
  web: 'web (2 processes)',
  worker: 'worker (Node.js)',
  ffmpeg: "worker's ffmpeg + ffprobe",
  nginx: 'nginx (master + workers)',
  postgres: "PostgreSQL backends of the run's database",
  emulator: 'S3/SQS/SES emulator',
  loadGenerator: 'load generator (bench process + autocannon)',
};

interface Ticks {
  self: number;
  children: number;
}

function ticks(pid: number): Ticks | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { self: f[11]! + f[12]!, children: f[13]! + f[14]! };
  } catch {
    return undefined; // exited
  }
}

const total = (pid: number) => {
  const t = ticks(pid);
  return t ? t.self + t.children : 0;
};

export function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const thread of readdirSync(`/proc/${pid}/task`)) {
    const listed = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim();
    if (listed) pids.push(...listed.split(/\s+/).map(Number));
  }
  return pids;
}

const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/** PostgreSQL's server process: the parent of the backends serving `database`, or of any backend. */
export function findPostmaster(database: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || !cmdline(Number(entry)).startsWith(`postgres: `) || !cmdline(Number(entry)).includes(` ${database} `)) continue;
    const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  throw new Error(`no PostgreSQL backend serves database ${database}; is the stack connected?`);
}

export interface StackProcesses {
  web: number[];
  worker: number;
  nginx: number;
  emulator: number;
  postmaster: number;
  database: string;
}

function fixedParts(p: StackProcesses): Omit<PartCpu, 'postgres'> {
  const worker = ticks(p.worker) ?? { self: 0, children: 0 };
  return {
    web: p.web.reduce((sum, pid) => sum + total(pid), 0),
    worker: worker.self,
    ffmpeg: worker.children,
    nginx: total(p.nginx) + childPids(p.nginx).reduce((sum, pid) => sum + total(pid), 0),
    emulator: total(p.emulator),
    // This process and its exited children (autocannon runs); nginx and the emulator, its live children, count once they exit.
    loadGenerator: total(process.pid),
  };
}

/**
 * Measures CPU from now until `stop()`. The backends of the run's database are sampled every
 * 200 ms (pools open and close them); the other parts are read at both ends, so a scenario must end
 * with no ffmpeg running and no load generator alive.
 */
export function meter(p: StackProcesses) {
  const start = fixedParts(p);
  const backends = new Map<number, { first: number; last: number }>();
  const sample = (initial: boolean) => {
    for (const pid of childPids(p.postmaster)) {
      if (!cmdline(pid).includes(` ${p.database} `)) continue;
      const now = total(pid);
      const seen = backends.get(pid);
      if (seen) seen.last = now;
      else backends.set(pid, { first: initial ? now : 0, last: now });
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), PG_SAMPLE_MS);
  return {
    /** CPU-seconds of each part since the meter started. */
    stop(): PartCpu {
      clearInterval(timer);
      sample(false);
      const end = fixedParts(p);
      const seconds = {} as PartCpu;
      for (const part of PARTS) {
        if (part !== 'postgres') seconds[part] = (end[part] - start[part]) / TICKS_PER_SECOND;
      }
      seconds.postgres = [...backends.values()].reduce((sum, b) => sum + b.last - b.first, 0) / TICKS_PER_SECOND;
      return seconds;
    },
  };
}

/** CPU-seconds of this process's exited children so far (bare ffmpeg runs, autocannon). */
export const childrenCpuSeconds = () => (ticks(process.pid)?.children ?? 0) / TICKS_PER_SECOND;

const statusKb = (pid: number, field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

/** Resident memory now, in MB. */
export const rssMb = (pid: number) => statusKb(pid, 'VmRSS') / 1024;

/** Peak resident memory (VmHWM) in MB since the last reset. */
export const peakRssMb = (pid: number) => statusKb(pid, 'VmHWM') / 1024;

/** Starts a new peak: writing 5 to clear_refs resets VmHWM to the present RSS. */
export const resetPeakRss = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');

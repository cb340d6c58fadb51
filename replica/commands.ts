// Running the container tools: each command's output goes to the run's log file, and a failure
// throws with the command and the end of what it printed.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  /** Resolve with the exit code instead of throwing on a non-zero one. */
  allowFailure?: boolean;
}

let logFile: string | undefined;
export function logTo(path: string): void {
  logFile = path;
}

export function log(line: string): void {
  if (logFile) appendFileSync(logFile, `${line}\n`);
}

export async function run(command: string, args: string[], options: RunOptions = {}): Promise<{ code: number; stdout: string }> {
  log(`$ ${command} ${args.join(' ')}`);
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    log(text.trimEnd());
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    keep(chunk);
  });
  child.stderr.on('data', keep);
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0 && !options.allowFailure) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`);
  return { code, stdout };
}

/** Milliseconds fn took, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const result = await fn();
  return [result, Date.now() - start];
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

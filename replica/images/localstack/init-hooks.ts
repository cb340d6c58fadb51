// LocalStack's init hooks (localstack/runtime/init.py): the executable *.sh files under
// /etc/localstack/init/<stage>.d run in name order, each recorded UNKNOWN -> RUNNING ->
// SUCCESSFUL | ERROR, and GET /_localstack/init[/<stage>] reports them in LocalStack's shape.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export const STAGES = ['BOOT', 'START', 'READY', 'SHUTDOWN'] as const;
export type Stage = (typeof STAGES)[number];
type State = 'UNKNOWN' | 'RUNNING' | 'SUCCESSFUL' | 'ERROR';
interface Script {
  path: string;
  stage: Stage;
  state: State;
}

const ROOT = process.env.CCT_INIT_ROOT ?? '/etc/localstack/init';
const completed = Object.fromEntries(STAGES.map((stage) => [stage, false])) as Record<Stage, boolean>;

/** Files under dir, depth first, sorted per directory as os.walk(topdown) with sort() does. */
function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const files = entries.filter((name) => statSync(join(dir, name)).isFile()).map((name) => join(dir, name));
  const dirs = entries.filter((name) => statSync(join(dir, name)).isDirectory());
  return [...files, ...dirs.flatMap((name) => walk(join(dir, name)))];
}

// LocalStack also runs *.py files in its own interpreter; this stand-in has none to offer them.
const scripts: Script[] = STAGES.flatMap((stage) =>
  walk(join(ROOT, `${stage.toLowerCase()}.d`))
    .filter((path) => path.endsWith('.sh'))
    .map((path) => ({ path, stage, state: 'UNKNOWN' as State })),
);

function exitCode(path: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(path, [], { stdio: 'inherit' });
    child.once('error', (error) => {
      console.error(`Error while running script ${path}: ${error.message}`);
      resolve(126);
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

export async function runStage(stage: Stage): Promise<void> {
  for (const script of scripts.filter((s) => s.stage === stage)) {
    script.state = 'RUNNING';
    const code = await exitCode(script.path);
    script.state = code === 0 ? 'SUCCESSFUL' : 'ERROR';
    if (code !== 0) console.error(`Error while running script ${script.path}: returned a non-zero exit code ${code}`);
  }
  completed[stage] = true;
}

const view = (script: Script) => ({ stage: script.stage, name: basename(script.path), state: script.state });

/** GET /_localstack/init and /_localstack/init/<stage>; undefined for an unknown stage (404). */
export function initReport(stage?: string): object | undefined {
  if (stage === undefined) return { completed, scripts: scripts.map(view) };
  const known = STAGES.find((s) => s === stage.toUpperCase());
  if (!known) return undefined;
  return { completed: completed[known], scripts: scripts.filter((s) => s.stage === known).map(view) };
}

// `npm run test:faults`: the fault-injection scenarios (test/faults/*.fault.ts) through the
// same runner as `npm test`, then their figures as the table docs/reliability.md shows.
// FAULTS_FULL=1 runs the full load scenario (200 clients for 60 s) instead of the CI one.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figures } from './figures.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cct-faults-'));
const figuresFile = join(dir, 'figures.jsonl');
const only = process.argv.slice(2);
const files = only.length ? only : readdirSync(join(ROOT, 'test/faults')).filter((f) => f.endsWith('.fault.ts')).sort().map((f) => `test/faults/${f}`);

const child = spawn(process.execPath, ['--import', 'tsx', 'test/run.ts', '--disable-coverage', '--jobs=1', '--timeout=600', ...files], {
  cwd: ROOT,
  env: { ...process.env, FAULT_FIGURES: figuresFile },
  stdio: 'inherit',
});
const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));

let rows: Figures[] = [];
try {
  rows = readFileSync(figuresFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Figures);
} catch {
  // no scenario got as far as its figures
}
rmSync(dir, { recursive: true, force: true });
console.log('\n| scenario | submitted | processed | failed (reason) | lost | emails/task | 5xx | recover s | notes |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.scenario} | ${r.submitted} | ${r.processed} | ${r.failedWithReason} | ${r.lost} | ${r.emailsPerTask} | ${r.http5xx} | ${r.recoverSeconds.toFixed(1)} | ${r.notes ?? ''} |`);
}
process.exit(code);

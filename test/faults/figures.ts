// One row of figures per scenario: printed as a tap comment, and collected by
// test/faults/run.ts (FAULT_FIGURES) into the table of docs/reliability.md.
import { appendFileSync } from 'node:fs';
import type { Test } from 'tap';

export interface Figures {
  scenario: string;
  submitted: number;
  processed: number;
  /** Tasks that ended failed, each with a reason the owner reads. */
  failedWithReason: number;
  /** Tasks not in a final state at the end, or accepted (201) and then missing. */
  lost: number;
  /** Emails per finished task, as "min–max" (exactly one: "1"). */
  emailsPerTask: string;
  http5xx: number;
  /** Seconds from the end of the fault to everything final (or the API healthy again). */
  recoverSeconds: number;
  /** Anything else the scenario measured. */
  notes?: string;
}

export function reportFigures(t: Test, figures: Figures): void {
  t.comment(`figures ${JSON.stringify(figures)}`);
  if (process.env.FAULT_FIGURES) appendFileSync(process.env.FAULT_FIGURES, `${JSON.stringify(figures)}\n`);
}

/** "1" when every count is 1, else "min–max". */
export function emailSpread(counts: number[]): string {
  if (counts.length === 0) return '-';
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return min === max ? String(min) : `${min}–${max}`;
}

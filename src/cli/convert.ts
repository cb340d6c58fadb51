// `cct convert FILE… --to FORMAT`: uploads the files at once (a progress bar each), waits
// for each result, and saves it next to its input. One line per failure; the others go on.
import { open, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { TaskJson } from '../web/schemas/task.ts';
import { CliError, type Client } from './client.ts';

const POLL_MS = Number(process.env.CCT_POLL_MS) || 1000;
const PARALLEL_UPLOADS = 4;
const STAGES: Record<TaskJson['status'], string> = { uploaded: 'waiting', processing: 'converting', processed: 'downloading', failed: 'failed' };

export interface ConvertOptions {
  to: string;
  bitrate?: string;
  sampleRate?: string;
  channels?: string;
}

/** `song.wav` → `song.mp3` beside it; `song (2).mp3` and so on rather than overwriting a file. */
async function createOutput(input: string, format: string) {
  const stem = join(dirname(input), basename(input, extname(input)));
  for (let n = 1; ; n += 1) {
    const path = n === 1 ? `${stem}.${format}` : `${stem} (${n}).${format}`;
    try {
      return { path, handle: await open(path, 'wx') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function waitForResult(client: Client, task: TaskJson, onStatus: (task: TaskJson) => void): Promise<TaskJson> {
  for (;;) {
    onStatus(task);
    if (task.status === 'processed') return task;
    if (task.status === 'failed') throw new CliError(`conversion failed: ${task.statusReason ?? 'no reason given'}`);
    await sleep(POLL_MS);
    task = await client.task(task.id);
  }
}

/** Runs at most `max` of the given jobs at once (here: uploads; waiting and downloading are cheap). */
function limiter(max: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await job();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

export async function convertFiles(client: Client, files: string[], options: ConvertOptions): Promise<number> {
  const fields: Record<string, string> = { newFormat: options.to };
  if (options.bitrate) fields.bitrate = options.bitrate;
  if (options.sampleRate) fields.sampleRate = options.sampleRate;
  if (options.channels) fields.channels = options.channels;
  // Bars only on a terminal: piped or logged output gets the result lines alone.
  const bars = process.stderr.isTTY
    ? new cliProgress.MultiBar({ format: '{file} {bar} {percentage}% {stage}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
    : null;
  const width = Math.max(...files.map((f) => basename(f).length));
  // Printed once the bars are gone, so that lines and bars do not mix on a terminal.
  const saved: string[] = [];
  const failed: string[] = [];

  const uploads = limiter(PARALLEL_UPLOADS);
  await Promise.all(files.map(async (file) => {
    const label = basename(file).padEnd(width);
    const bar = bars?.create(100, 0, { file: label, stage: 'uploading' });
    const show = (percent: number, stage: string) => bar?.update(percent, { file: label, stage });
    try {
      let task = await uploads(() => client.upload(file, fields, (sent, total) => show(total ? Math.floor((sent / total) * 100) : 100, 'uploading')));
      task = await waitForResult(client, task, (t) => show(t.status === 'processing' ? t.progress : t.status === 'processed' ? 100 : 0, STAGES[t.status]));
      const output = await createOutput(file, task.targetFormat);
      try {
        await pipeline(await client.download(task.id), output.handle.createWriteStream());
      } catch (error) {
        await output.handle.close().catch(() => {});
        await rm(output.path, { force: true }); // no half-written result
        throw error;
      }
      show(100, 'saved');
      saved.push(`${file} → ${output.path}`);
    } catch (error) {
      show(0, 'failed');
      failed.push(`cct: ${file}: ${(error as Error).message}`);
    }
  }));
  bars?.stop();
  for (const line of saved) console.log(line);
  for (const line of failed) console.error(line);
  return failed.length;
}

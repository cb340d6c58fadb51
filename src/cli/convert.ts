// `cct convert FILE… --to FORMAT`: uploads the files at once (a progress bar each), waits
// for each result, and saves it next to its input. One line per failure; the others go on.
import { open } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import cliProgress from 'cli-progress';
import type { TaskJson } from '../web/schemas/task.ts';
import { CliError, type Client } from './client.ts';

const POLL_MS = Number(process.env.CCT_POLL_MS) || 1000;
const PARALLEL_UPLOADS = 4;

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

/** A bounded number of uploads at once; each file's whole conversion runs as soon as its slot frees. */
async function eachLimited<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
  }));
}

export async function convertFiles(client: Client, files: string[], options: ConvertOptions): Promise<number> {
  const fields: Record<string, string> = { newFormat: options.to };
  if (options.bitrate) fields.bitrate = options.bitrate;
  if (options.sampleRate) fields.sampleRate = options.sampleRate;
  if (options.channels) fields.channels = options.channels;
  const bars = new cliProgress.MultiBar({ format: '{file} {bar} {percentage}% {stage}', hideCursor: true, clearOnComplete: false, stopOnComplete: false }, cliProgress.Presets.shades_classic);
  const width = Math.max(...files.map((f) => basename(f).length));
  // Printed once the bars are gone, so that lines and bars do not mix on a terminal.
  const saved: string[] = [];
  const failed: string[] = [];

  await eachLimited(files, PARALLEL_UPLOADS, async (file) => {
    const bar = bars.create(100, 0, { file: basename(file).padEnd(width), stage: 'uploading' });
    try {
      let task = await client.upload(file, fields, (sent, total) => bar.update(total ? Math.floor((sent / total) * 100) : 100));
      task = await waitForResult(client, task, (t) => bar.update(t.status === 'processing' ? t.progress : t.status === 'processed' ? 100 : 0, { stage: t.status === 'uploaded' ? 'waiting' : t.status === 'processing' ? 'converting' : 'downloading' }));
      const output = await createOutput(file, task.targetFormat);
      try {
        await pipeline(await client.download(task.id), output.handle.createWriteStream());
      } catch (error) {
        await output.handle.close().catch(() => {});
        throw error;
      }
      bar.update(100, { stage: 'saved' });
      saved.push(`${file} → ${output.path}`);
    } catch (error) {
      bar.update({ stage: 'failed' });
      failed.push(`cct: ${file}: ${(error as Error).message}`);
    }
  });
  bars.stop();
  for (const line of saved) console.log(line);
  for (const line of failed) console.error(line);
  return failed.length;
}

// The benchmark's inputs, made with ffmpeg, and the bare-ffmpeg baseline.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childrenCpuSeconds } from './processes.ts';

const run = promisify(execFile);
const CACHE = new URL('../.data/bench-media/', import.meta.url).pathname;
const WAV_BYTES_PER_SECOND = 44_100 * 2 * 2;

/** About 5 minutes of a tone plus pink noise: the course's 5 MB mp3 (128 kbit/s stereo). */
export const courseMp3 = () => make('course-5min.mp3', 300, ['-c:a', 'libmp3lame', '-b:a', '128k']);

/** The same 5 minutes as 16-bit stereo wav (about 53 MB): the encoder-bound workload's input. */
export const encodeWav = () => make('encode-5min.wav', 300, ['-c:a', 'pcm_s16le']);

/** A short mp3 (the time-to-result input) or wav (the fixed cost of a task). */
export const shortMp3 = (seconds: number) => make(`short-${seconds}s.mp3`, seconds, ['-c:a', 'libmp3lame', '-b:a', '128k']);
export const shortWav = (seconds: number) => make(`short-${seconds}s.wav`, seconds, ['-c:a', 'pcm_s16le']);

/** A 16-bit stereo wav of about `bytes` bytes. */
export const sizedWav = (bytes: number) => make(`sized-${bytes}.wav`, Math.round(bytes / WAV_BYTES_PER_SECOND), ['-c:a', 'pcm_s16le']);

async function make(name: string, seconds: number, codec: string[]): Promise<string> {
  const path = join(CACHE, name);
  if (existsSync(path)) return path;
  await mkdir(CACHE, { recursive: true });
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`,
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:duration=${seconds}:sample_rate=44100:amplitude=0.2`,
    '-filter_complex', 'amix=inputs=2,aformat=channel_layouts=stereo', ...codec, join(CACHE, `partial-${name}`),
  ]);
  await rename(join(CACHE, `partial-${name}`), path); // whole files only, should a run stop midway
  return path;
}

export interface Bare {
  filesPerMin: number;
  cpuSPerFile: number;
  /** Wall time of each run, in ms. */
  runMs: number[];
}

/** `files` conversions of input to format (the service's own codec settings), `parallel` at once, on local files. */
export async function bareFfmpeg(input: string, format: 'wav' | 'mp3', files: number, parallel: number): Promise<Bare> {
  const outDir = join(CACHE, `bare-${process.pid}`);
  await mkdir(outDir, { recursive: true });
  const codec = format === 'wav' ? ['-acodec', 'pcm_s16le', '-f', 'wav'] : ['-acodec', 'libmp3lame', '-f', 'mp3', '-b:a', '192k'];
  let next = 0;
  const runMs: number[] = [];
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < files) {
        const i = next++;
        const t0 = performance.now();
        await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-vn', '-map', '0:a:0', '-map_metadata', '0', ...codec, join(outDir, `${i}.${format}`)]);
        runMs.push(performance.now() - t0);
      }
    }),
  );
  const filesPerMin = files / ((performance.now() - started) / 60_000);
  const cpuSPerFile = (childrenCpuSeconds() - cpuBefore) / files;
  await rm(outDir, { recursive: true, force: true });
  return { filesPerMin, cpuSPerFile, runMs };
}

// The benchmark's inputs, made with ffmpeg, and the bare-ffmpeg baseline.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CACHE = new URL('../.data/bench-media/', import.meta.url).pathname;

/** About 5 minutes of a tone plus pink noise: the course's 5 MB mp3 (128 kbit/s stereo). */
export async function courseMp3(): Promise<string> {
  return make('course-5min.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']);
}

/** The same 5 minutes as 16-bit stereo wav (about 53 MB): the encoder-bound workload's input. */
export async function encodeWav(): Promise<string> {
  return make('encode-5min.wav', ['-c:a', 'pcm_s16le']);
}

async function make(name: string, codec: string[]): Promise<string> {
  const path = join(CACHE, name);
  if (existsSync(path)) return path;
  await mkdir(CACHE, { recursive: true });
  await run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=300:sample_rate=44100',
    '-f', 'lavfi', '-i', 'anoisesrc=color=pink:duration=300:sample_rate=44100:amplitude=0.2',
    '-filter_complex', 'amix=inputs=2,aformat=channel_layouts=stereo', ...codec, path,
  ]);
  return path;
}

/** Runs `files` conversions of input to format with `parallel` ffmpeg processes at once; returns files per minute. */
export async function bareFfmpeg(input: string, format: 'wav' | 'mp3', files: number, parallel: number, outDir: string): Promise<number> {
  await mkdir(outDir, { recursive: true });
  const codec = format === 'wav' ? ['-c:a', 'pcm_s16le', '-f', 'wav'] : ['-c:a', 'libmp3lame', '-b:a', '192k', '-f', 'mp3'];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < files) {
        const i = next++;
        await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-vn', '-map', '0:a:0', ...codec, join(outDir, `${i}.${format}`)]);
      }
    }),
  );
  return files / ((performance.now() - started) / 60_000);
}

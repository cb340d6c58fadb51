// Test audio made by the real ffmpeg, once per process.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cct-audio-'));
const made = new Map<string, Promise<string>>();

/** A stereo 44.1 kHz tone of `seconds`, encoded as `format` (its extension); returns the path. */
export function audioFile(format: string, seconds = 1): Promise<string> {
  const key = `${seconds}.${format}`;
  if (!made.has(key)) {
    const path = join(dir, `tone-${seconds}s.${format}`);
    made.set(key, run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, '-ac', '2', path]).then(() => path));
  }
  return made.get(key)!;
}

export async function audioBytes(format: string, seconds = 1): Promise<Buffer> {
  return readFile(await audioFile(format, seconds));
}

export interface Probe {
  codec: string;
  sampleRate: number;
  channels: number;
  bitRate: number;
  duration: number;
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels,bit_rate:format=duration,bit_rate', '-of', 'json', path]);
  const info = JSON.parse(stdout) as { streams: Array<Record<string, string | number>>; format: Record<string, string> };
  const stream = info.streams[0] ?? {};
  // Decode to learn the real duration: raw ADTS durations in the header are estimates from the bitrate.
  const decoded = await run('ffmpeg', ['-v', 'error', '-nostats', '-i', path, '-f', 'null', '-', '-progress', 'pipe:1']);
  const outTimes = [...decoded.stdout.matchAll(/out_time_us=(\d+)/g)];
  return {
    codec: String(stream.codec_name),
    sampleRate: Number(stream.sample_rate),
    channels: Number(stream.channels),
    bitRate: Number(stream.bit_rate ?? info.format.bit_rate),
    duration: Number(outTimes.at(-1)?.[1]) / 1e6,
  };
}

// ffprobe and ffmpeg through fluent-ffmpeg, with the settings of formats.ts.
import ffmpeg from 'fluent-ffmpeg';
import { TARGET_FORMATS, type ConversionOptions, type TargetFormat, type TargetFormatName } from './formats.ts';
import type { Binaries } from './binaries.ts';

/** A conversion that can never succeed for this input: the task fails rather than retrying. */
export class UnconvertibleError extends Error {
  override name = 'UnconvertibleError';
}

export interface AudioInfo {
  durationSeconds: number | null;
  codec: string;
}

export function probeAudio(binaries: Binaries, path: string): Promise<AudioInfo> {
  return new Promise((resolve, reject) => {
    ffmpeg(path).setFfprobePath(binaries.ffprobe).ffprobe((error: Error | null, data: ffmpeg.FfprobeData) => {
      if (error) return reject(new UnconvertibleError('the file could not be read as audio (corrupt or an unknown format)'));
      const audio = data.streams.find((s) => s.codec_type === 'audio');
      if (!audio) return reject(new UnconvertibleError('not an audio file: it has no audio stream'));
      const duration = Number(data.format.duration ?? audio.duration);
      resolve({ durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null, codec: String(audio.codec_name) });
    });
  });
}

const timemarkSeconds = (timemark: string) => timemark.split(':').reduce((total, part) => total * 60 + Number(part), 0);

export interface ConvertOptions {
  input: string;
  output: string;
  format: TargetFormatName;
  options: ConversionOptions;
  durationSeconds: number | null;
  signal: AbortSignal;
  onProgress: (percent: number) => void;
}

/** Converts input to output; rejects with UnconvertibleError when ffmpeg refuses the input, or AbortError when aborted. */
export function convertAudio(binaries: Binaries, job: ConvertOptions): Promise<void> {
  const spec: TargetFormat = TARGET_FORMATS[job.format];
  return new Promise((resolve, reject) => {
    if (job.signal.aborted) return reject(job.signal.reason);
    const command = ffmpeg(job.input)
      .setFfmpegPath(binaries.ffmpeg)
      .noVideo() // cover art and video tracks would break audio-only containers
      .outputOptions(['-map', '0:a:0', '-map_metadata', '0', ...(spec.outputOptions ?? [])])
      .audioCodec(spec.codec)
      .format(spec.muxer);
    if (spec.bitrate) command.audioBitrate(job.options.bitrate ?? spec.bitrate.default);
    if (job.options.sampleRate) command.audioFrequency(job.options.sampleRate);
    if (job.options.channels) command.audioChannels(job.options.channels);
    const abort = () => command.kill('SIGKILL');
    job.signal.addEventListener('abort', abort, { once: true });
    command
      .on('progress', (progress: { timemark?: string }) => {
        if (job.durationSeconds && progress.timemark) {
          job.onProgress(Math.min(99, Math.floor((100 * timemarkSeconds(progress.timemark)) / job.durationSeconds)));
        }
      })
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        job.signal.removeEventListener('abort', abort);
        if (job.signal.aborted) return reject(job.signal.reason);
        const lastLine = stderr?.trim().split('\n').pop() || error.message;
        reject(new UnconvertibleError(`ffmpeg could not convert the file: ${lastLine}`));
      })
      .on('end', () => {
        job.signal.removeEventListener('abort', abort);
        resolve();
      })
      .save(job.output);
  });
}

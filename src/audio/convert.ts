// ffmpeg through fluent-ffmpeg, with the settings of formats.ts.
import ffmpeg from 'fluent-ffmpeg';
import { TARGET_FORMATS, type ConversionOptions, type TargetFormat, type TargetFormatName } from './formats.ts';
import type { Binaries } from './binaries.ts';

/** A conversion that can never succeed for this input: the task fails rather than retrying. */
export class UnconvertibleError extends Error {
  override name = 'UnconvertibleError';
}

export interface AudioInfo {
  durationSeconds: number | null;
}

const timemarkSeconds = (timemark: string) => timemark.split(':').reduce((total, part) => total * 60 + Number(part), 0);

/** What a person can act on, from ffmpeg's last words about an input it could not convert. */
function refusal(stderr: string): string {
  if (/matches no streams/.test(stderr)) return 'not an audio file: it has no audio stream';
  if (/Invalid data found when processing input|could not find codec parameters|Failed to read frame size|Format .* detected only with low score/i.test(stderr)) {
    return 'the file could not be read as audio (corrupt or an unknown format)';
  }
  return `ffmpeg could not convert the file: ${stderr.trim().split('\n').pop()}`;
}

/**
 * What ffmpeg says when it could not read an input URL to its end (storage refused, unreachable,
 * cut off): the task is retried, not failed. ffmpeg may still exit 0 with what it read, so this is
 * checked on success too.
 */
const READ_FAILURE = /Server returned \d|HTTP error|Connection refused|Connection reset|Connection timed out|Input\/output error|Stream ends prematurely|Failed to resolve|operation timed out/i;

/** ffmpeg waits this long for storage to answer before giving up on a read (then the task is retried). */
const READ_TIMEOUT_MICROSECONDS = 30_000_000;

export interface ConvertOptions {
  /** A local path, or an http(s) URL that ffmpeg reads itself (ranges when it seeks). */
  input: string;
  output: string;
  format: TargetFormatName;
  options: ConversionOptions;
  signal: AbortSignal;
  onProgress: (percent: number) => void;
}

/**
 * Converts input to output and resolves with the input's duration, read from ffmpeg's own report
 * on its input: no ffprobe run first (starting one cost as much CPU as a short conversion; it is
 * also why progress is read from stderr rather than from fluent-ffmpeg's 'progress' event).
 * Rejects with UnconvertibleError when ffmpeg refuses the input (no audio stream, not audio at
 * all), or with the signal's reason when aborted.
 */
export function convertAudio(binaries: Binaries, job: ConvertOptions): Promise<AudioInfo> {
  const spec: TargetFormat = TARGET_FORMATS[job.format];
  return new Promise((resolve, reject) => {
    if (job.signal.aborted) return reject(job.signal.reason);
    const fromUrl = /^https?:/.test(job.input);
    const command = ffmpeg(job.input)
      .inputOptions(fromUrl ? ['-rw_timeout', String(READ_TIMEOUT_MICROSECONDS)] : [])
      .setFfmpegPath(binaries.ffmpeg)
      .noVideo() // cover art and video tracks would break audio-only containers
      .outputOptions(['-map', '0:a:0', '-map_metadata', '0', ...(spec.outputOptions ?? [])])
      .audioCodec(spec.codec)
      .format(spec.muxer);
    if (spec.bitrate) {
      const kbps = job.options.bitrate ?? spec.bitrate.default;
      if (spec.bitrateOptions) command.outputOptions(spec.bitrateOptions(kbps));
      else command.audioBitrate(kbps);
    }
    if (job.options.sampleRate) command.audioFrequency(job.options.sampleRate);
    if (job.options.channels) command.audioChannels(job.options.channels);
    let durationSeconds: number | null = null;
    let readFailure: string | null = null;
    // A URL carries a signature: it must never reach a log or a task's status reason.
    const withoutUrl = (text: string) => (fromUrl ? text.replaceAll(job.input, 'input') : text);
    const abort = () => command.kill('SIGKILL');
    job.signal.addEventListener('abort', abort, { once: true });
    command
      // fluent-ffmpeg checks its codecs before it spawns ffmpeg, and kill() does nothing until then: an
      // abort in that window kills ffmpeg as it starts (else a stopping worker waited out the conversion).
      .on('start', () => job.signal.aborted && abort())
      .on('codecData', (input: { duration?: string }) => {
        const seconds = timemarkSeconds(input.duration ?? '');
        durationSeconds = Number.isFinite(seconds) && seconds > 0 ? seconds : null;
      })
      // Progress from ffmpeg's own status lines: a 'progress' listener would make fluent-ffmpeg
      // run ffprobe on the input first, which cost as much CPU as a short conversion.
      .on('stderr', (line: string) => {
        if (fromUrl && !readFailure && READ_FAILURE.test(line)) readFailure = withoutUrl(line);
        const timemark = /\btime=\s*(\d+:\d+:\d+(?:\.\d+)?)/.exec(line)?.[1];
        if (durationSeconds && timemark) job.onProgress(Math.min(99, Math.floor((100 * timemarkSeconds(timemark)) / durationSeconds)));
      })
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        job.signal.removeEventListener('abort', abort);
        if (job.signal.aborted) return reject(job.signal.reason);
        if (readFailure) return reject(new Error(`ffmpeg could not read the input: ${readFailure}`));
        reject(new UnconvertibleError(refusal(withoutUrl(stderr || error.message))));
      })
      .on('end', () => {
        job.signal.removeEventListener('abort', abort);
        if (readFailure) return reject(new Error(`ffmpeg could not read the input to its end: ${readFailure}`));
        resolve({ durationSeconds });
      })
      .save(job.output);
  });
}

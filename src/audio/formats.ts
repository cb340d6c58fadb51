// The one table of audio formats: what we accept, how ffmpeg writes each target,
// and which encoder options each target takes.

export interface TargetFormat {
  codec: string;
  muxer: string;
  contentType: string;
  /** Allowed bitrates in kbit/s; absent for lossless formats, which take none. */
  bitrate?: { min: number; max: number; default: number };
  sampleRates: readonly number[];
  maxChannels: number;
  /** Extra ffmpeg output options. */
  outputOptions?: readonly string[];
  /** ffmpeg options for a bitrate, where the encoder takes a quality rather than a bitrate. */
  bitrateOptions?: (kbps: number) => string[];
}

/**
 * libvorbis refuses a managed bitrate its tables lack for the sample rate and channels (at
 * 22050 Hz mono, anything above 80 kbit/s): ogg gets the VBR quality whose nominal bitrate at
 * 44.1 kHz stereo is the one asked for, which every rate and channel count accepts.
 */
const VORBIS_NOMINAL_KBPS = [45, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 500]; // qualities -1 to 10
function vorbisQuality(kbps: number): string[] {
  const above = VORBIS_NOMINAL_KBPS.findIndex((nominal) => nominal >= kbps);
  if (above <= 0) return ['-q:a', String(above === 0 ? -1 : 10)];
  const [low, high] = [VORBIS_NOMINAL_KBPS[above - 1]!, VORBIS_NOMINAL_KBPS[above]!];
  return ['-q:a', (above - 2 + (kbps - low) / (high - low)).toFixed(2)];
}

const MP3_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
const AAC_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000] as const;
const PCM_RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 176400, 192000] as const;

export const TARGET_FORMATS = {
  mp3: { codec: 'libmp3lame', muxer: 'mp3', contentType: 'audio/mpeg', bitrate: { min: 32, max: 320, default: 192 }, sampleRates: MP3_RATES, maxChannels: 2 },
  aac: { codec: 'aac', muxer: 'adts', contentType: 'audio/aac', bitrate: { min: 32, max: 512, default: 192 }, sampleRates: AAC_RATES, maxChannels: 2 },
  m4a: {
    codec: 'aac',
    muxer: 'ipod',
    contentType: 'audio/mp4',
    bitrate: { min: 32, max: 512, default: 192 },
    sampleRates: AAC_RATES,
    maxChannels: 2,
    outputOptions: ['-movflags', '+faststart'],
  },
  ogg: {
    codec: 'libvorbis',
    muxer: 'ogg',
    contentType: 'audio/ogg',
    bitrate: { min: 45, max: 500, default: 192 },
    bitrateOptions: vorbisQuality,
    sampleRates: [8000, 11025, 16000, 22050, 32000, 44100, 48000],
    maxChannels: 2,
  },
  opus: { codec: 'libopus', muxer: 'opus', contentType: 'audio/opus', bitrate: { min: 6, max: 510, default: 128 }, sampleRates: [8000, 12000, 16000, 24000, 48000], maxChannels: 2 },
  wav: { codec: 'pcm_s16le', muxer: 'wav', contentType: 'audio/wav', sampleRates: PCM_RATES, maxChannels: 2 },
  wma: { codec: 'wmav2', muxer: 'asf', contentType: 'audio/x-ms-wma', bitrate: { min: 32, max: 320, default: 128 }, sampleRates: [8000, 11025, 16000, 22050, 32000, 44100, 48000], maxChannels: 2 },
  flac: { codec: 'flac', muxer: 'flac', contentType: 'audio/flac', sampleRates: PCM_RATES, maxChannels: 2 },
} as const satisfies Record<string, TargetFormat>;

export type TargetFormatName = keyof typeof TARGET_FORMATS;
export const TARGET_FORMAT_NAMES = Object.keys(TARGET_FORMATS) as TargetFormatName[];

/** `acc` is a common typo of `aac` that clients of the original service send. */
const ALIASES: Record<string, TargetFormatName> = { acc: 'aac' };

/** Extensions of uploads we take; ffmpeg in the worker has the last word on the content. */
const SOURCE_EXTENSIONS = new Set([...TARGET_FORMAT_NAMES, 'oga', 'aif', 'aiff', 'aifc', 'ac3', 'amr', 'ape', 'au', 'caf', 'mka', 'mp2', 'mpga', 'weba', 'webm', 'wv', 'mp4', '3gp']);

export function targetFormat(name: string): TargetFormatName | null {
  const lower = name.trim().toLowerCase();
  if (lower in TARGET_FORMATS) return lower as TargetFormatName;
  return ALIASES[lower] ?? null;
}

/** The source format of an upload from its file name, or null when the extension is not an audio one we take. */
export function sourceFormat(fileName: string): string | null {
  const match = /\.([A-Za-z0-9]+)$/.exec(fileName);
  const extension = match?.[1]?.toLowerCase();
  return extension && SOURCE_EXTENSIONS.has(extension) ? extension : null;
}

export const SOURCE_FORMAT_NAMES = [...SOURCE_EXTENSIONS];

export interface ConversionOptions {
  /** kbit/s */
  bitrate?: number;
  /** Hz */
  sampleRate?: number;
  channels?: number;
}

/** Checks options against the target's encoder; returns a message a person can act on, or null. */
export function optionsProblem(format: TargetFormatName, options: ConversionOptions): string | null {
  const spec: TargetFormat = TARGET_FORMATS[format];
  if (options.bitrate !== undefined) {
    if (!spec.bitrate) return `bitrate does not apply to ${format}: it is lossless; leave bitrate out`;
    if (options.bitrate < spec.bitrate.min || options.bitrate > spec.bitrate.max) {
      return `bitrate for ${format} must be between ${spec.bitrate.min} and ${spec.bitrate.max} kbit/s`;
    }
  }
  if (options.sampleRate !== undefined && !spec.sampleRates.includes(options.sampleRate)) {
    return `sampleRate for ${format} must be one of ${spec.sampleRates.join(', ')} Hz`;
  }
  if (options.channels !== undefined && (options.channels < 1 || options.channels > spec.maxChannels)) {
    return `channels for ${format} must be between 1 and ${spec.maxChannels}`;
  }
  return null;
}

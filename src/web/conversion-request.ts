// Reads `newFormat` and the encoder options from form fields, as strings or numbers.
import { optionsProblem, TARGET_FORMAT_NAMES, targetFormat, type ConversionOptions, type TargetFormatName } from '../audio/formats.ts';
import { HttpError } from './errors.ts';

export interface ConversionRequest {
  targetFormat: TargetFormatName;
  options: ConversionOptions;
}

function integerField(fields: Record<string, unknown>, name: string, pattern: RegExp, example: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === '') return undefined;
  const match = pattern.exec(String(value).trim());
  if (!match) throw new HttpError(400, `${name} must be a whole number, e.g. ${example}`);
  return Number(match[1]);
}

export function conversionRequest(fields: Record<string, unknown>): ConversionRequest {
  const name = fields.newFormat;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new HttpError(400, `newFormat is required: one of ${TARGET_FORMAT_NAMES.join(', ')}`);
  }
  const format = targetFormat(name);
  if (!format) throw new HttpError(400, `newFormat "${name}" is not supported; choose one of ${TARGET_FORMAT_NAMES.join(', ')}`);
  const options: ConversionOptions = {};
  const bitrate = integerField(fields, 'bitrate', /^(\d{1,4})k?$/i, '192 or 192k (kbit/s)');
  const sampleRate = integerField(fields, 'sampleRate', /^(\d{1,6})$/, '44100 (Hz)');
  const channels = integerField(fields, 'channels', /^(\d{1,2})$/, '2');
  if (bitrate !== undefined) options.bitrate = bitrate;
  if (sampleRate !== undefined) options.sampleRate = sampleRate;
  if (channels !== undefined) options.channels = channels;
  const problem = optionsProblem(format, options);
  if (problem) throw new HttpError(400, problem);
  return { targetFormat: format, options };
}

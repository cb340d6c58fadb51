/// <reference lib="dom" />
// The target format and its encoder options, built from the server's own format table
// (src/audio/formats.ts is bundled in) so the choices offered are the ones the API accepts.
import { TARGET_FORMAT_NAMES, TARGET_FORMATS, type TargetFormat, type TargetFormatName } from '../audio/formats.ts';
import type { Conversion } from './api.ts';
import { element } from './dom.ts';

export interface ConversionFields {
  format: HTMLSelectElement;
  bitrate: HTMLInputElement;
  sampleRate: HTMLSelectElement;
  channels: HTMLSelectElement;
  read(): Conversion;
  set(conversion: Conversion): void;
  /** Rules for showError: an API message starting with an option's name concerns that field. */
  errorRules(): Array<[RegExp, HTMLInputElement | HTMLSelectElement]>;
}

const SAME = ''; // the empty choice: keep what the original has

function field(label: string, control: HTMLElement, hint?: HTMLElement) {
  if (hint) control.setAttribute('aria-describedby', hint.id);
  return element('div', { class: 'field' }, element('label', { for: control.id }, label), control, ...(hint ? [hint] : []));
}

const option = (value: string, text: string) => element('option', { value }, text);

/** Adds the four fields to `container`; ids start with `prefix` so that several sets can live on one page. */
export function conversionFields(container: HTMLElement, prefix: string): ConversionFields {
  const format = element('select', { id: `${prefix}-format`, name: 'newFormat', required: true }, ...TARGET_FORMAT_NAMES.map((name) => option(name, name)));
  const bitrate = element('input', { id: `${prefix}-bitrate`, name: 'bitrate', type: 'number', inputmode: 'numeric', step: '1' });
  const sampleRate = element('select', { id: `${prefix}-sample-rate`, name: 'sampleRate' });
  const channels = element('select', { id: `${prefix}-channels`, name: 'channels' }, option(SAME, 'Same as the original'), option('1', '1 (mono)'), option('2', '2 (stereo)'));
  const bitrateHint = element('p', { class: 'hint', id: `${prefix}-bitrate-hint` });
  container.append(
    element(
      'div',
      { class: 'conversion-fields' },
      field('Target format', format),
      field('Bitrate (kbit/s)', bitrate, bitrateHint),
      field('Sample rate (Hz)', sampleRate),
      field('Channels', channels),
    ),
  );

  /** Limits the options to what the chosen format takes, keeping the choices that still fit. */
  function fitOptions() {
    const spec: TargetFormat = TARGET_FORMATS[format.value as TargetFormatName];
    if (spec.bitrate) {
      bitrate.disabled = false;
      bitrate.min = String(spec.bitrate.min);
      bitrate.max = String(spec.bitrate.max);
      bitrate.placeholder = `${spec.bitrate.default} (default)`;
      bitrateHint.textContent = `${spec.bitrate.min} to ${spec.bitrate.max}; empty for the default`;
    } else {
      bitrate.value = '';
      bitrate.disabled = true;
      bitrate.placeholder = 'lossless';
      bitrateHint.textContent = `${format.value} is lossless: no bitrate`;
    }
    const chosenRate = sampleRate.value;
    sampleRate.replaceChildren(option(SAME, 'Same as the original'), ...spec.sampleRates.map((rate) => option(String(rate), String(rate))));
    sampleRate.value = spec.sampleRates.some((rate) => String(rate) === chosenRate) ? chosenRate : SAME;
  }
  format.addEventListener('change', fitOptions);
  format.value = 'mp3';
  fitOptions();

  const number = (control: HTMLInputElement | HTMLSelectElement) => (control.value === SAME || control.disabled ? undefined : Number(control.value));
  return {
    format,
    bitrate,
    sampleRate,
    channels,
    read: () => ({ newFormat: format.value as TargetFormatName, bitrate: number(bitrate), sampleRate: number(sampleRate), channels: number(channels) }),
    set(conversion) {
      format.value = conversion.newFormat;
      fitOptions();
      bitrate.value = conversion.bitrate === undefined || bitrate.disabled ? '' : String(conversion.bitrate);
      sampleRate.value = conversion.sampleRate === undefined ? SAME : String(conversion.sampleRate);
      channels.value = conversion.channels === undefined ? SAME : String(conversion.channels);
    },
    errorRules: () => [
      [/^bitrate/, bitrate],
      [/^sampleRate/, sampleRate],
      [/^channels/, channels],
      [/^newFormat/, format],
    ],
  };
}

// Encoder settings that ffmpeg itself would refuse: every accepted option set must convert.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findBinaries } from '../../src/audio/binaries.ts';
import { convertAudio } from '../../src/audio/convert.ts';
import { TARGET_FORMATS } from '../../src/audio/formats.ts';
import { audioFile, probe } from '../helpers/audio.ts';

const dir = await mkdtemp(join(tmpdir(), 'cct-convert-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const convert = async (bitrate: number, sampleRate: number, channels: number) => {
  const output = join(dir, `${bitrate}-${sampleRate}-${channels}.ogg`);
  const options = { bitrate, sampleRate, channels };
  await convertAudio(findBinaries({}), { input: await audioFile('wav'), output, format: 'ogg', options, signal: new AbortController().signal, onProgress: () => {} });
  return probe(output);
};

t.test('ogg takes every allowed bitrate at every sample rate and channel count (libvorbis alone refuses most)', async (t) => {
  const { bitrate, sampleRates } = TARGET_FORMATS.ogg;
  for (const sampleRate of [sampleRates[0]!, 22050, 48000]) {
    for (const channels of [1, 2]) {
      for (const kbps of [bitrate.min, 192, bitrate.max]) {
        t.match(await convert(kbps, sampleRate, channels), { codec: 'vorbis', sampleRate, channels }, `${kbps} kbit/s, ${sampleRate} Hz, ${channels} channel(s)`);
      }
    }
  }
});

t.test('a higher bitrate asks for a higher quality', async (t) => {
  const low = await convert(64, 44100, 2);
  const high = await convert(320, 44100, 2);
  t.ok(high.bitRate > low.bitRate * 2, `${low.bitRate} → ${high.bitRate} bit/s`);
});

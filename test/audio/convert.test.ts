// Encoder settings that ffmpeg itself would refuse: every accepted option set must convert.
// Inputs read from a URL: a failed read is retried, never taken for a bad file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { findBinaries } from '../../src/audio/binaries.ts';
import { convertAudio, UnconvertibleError } from '../../src/audio/convert.ts';
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

/** Serves a wav over HTTP as storage would, or cuts the connection halfway through it, or answers 404. */
async function storage(t: Test, answer: 'whole' | 'cut' | 'missing') {
  const wav = await readFile(await audioFile('wav'));
  const server = createServer((request, response) => {
    if (answer === 'missing') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
    if (answer === 'whole') return void response.end(wav);
    response.write(wav.subarray(0, wav.length / 2), () => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/original.wav?X-Amz-Signature=secret`;
}
const fromUrl = (input: string, output: string) =>
  convertAudio(findBinaries({}), { input, output: join(dir, output), format: 'mp3', options: {}, signal: new AbortController().signal, onProgress: () => {} });

t.test('an input URL is read to its end', async (t) => {
  t.match(await fromUrl(await storage(t, 'whole'), 'url.mp3'), { durationSeconds: Number });
  t.match(await probe(join(dir, 'url.mp3')), { codec: 'mp3' });
});

t.test('an input URL that fails is an error to retry, not an unconvertible file, and the URL is not told', async (t) => {
  for (const answer of ['cut', 'missing'] as const) {
    const error = await fromUrl(await storage(t, answer), `${answer}.mp3`).then(() => null, (e: Error) => e);
    t.ok(error, `${answer}: rejects (ffmpeg exits 0 on a cut input, with what it read)`);
    t.notOk(error instanceof UnconvertibleError, `${answer}: to retry`);
    t.match(error?.message, /could not read the input/);
    t.notMatch(error?.message, /secret/);
  }
});

t.test('an abort before ffmpeg has started still stops it: the conversion rejects with the reason', async (t) => {
  const controller = new AbortController();
  const reason = new Error('worker stopping');
  const job = { input: await audioFile('wav'), output: join(dir, 'aborted.mp3'), format: 'mp3' as const, options: {}, signal: controller.signal, onProgress: () => {} };
  // fluent-ffmpeg checks its codecs first: an abort now lands before ffmpeg is spawned.
  const converting = convertAudio(findBinaries({}), job);
  controller.abort(reason);
  await t.rejects(converting, reason);
});

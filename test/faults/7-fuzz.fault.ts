// Scenario 7: property-based fuzzing of every route and method with every content type the
// server knows, with and without a body and a boundary, with random forms, JSON, headers, ids,
// query strings and file names, and audio truncated or corrupted at random offsets. Every
// answer must be a 4xx (or a 2xx/3xx) within the time bound, never a 5xx; every corrupted
// upload that is accepted must end processed or failed with a reason. A failure prints the
// seed and path: FUZZ_SEED=<seed> replays it.
import fc from 'fast-check';
import t from 'tap';
import { processTask } from '../../src/worker/process-task.ts';
import { build, multipart, signUp, type App } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { workerDeps } from '../helpers/worker.ts';
import { reportFigures } from './figures.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const HANG_MS = 10_000;

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=fuzzboundary',
  'text/plain',
  'application/octet-stream',
  'audio/wav',
  'garbage',
  '',
];

const awkwardText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('../../etc/passwd', '..\\..\\boot.ini', 'a\u0000b.wav', '\u0000', '%00', 'ünïcødé-🎵.wav', ' ', '', 'a'.repeat(10_240), '.wav', 'x.WAV', 'CON.mp3', '"quoted".wav', 'new\nline.wav'),
);
const id = fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }).map(String), awkwardText.map(encodeURIComponent), fc.constantFrom('1', '0', '-1', '1e3', '0x10', '2147483648', '%2e%2e', 'null'));
const path = fc.oneof(
  fc.constantFrom('/api/auth/signup', '/api/auth/login', '/api/tasks', '/health', '/ready', '/docs/json', '/', '/main.js', '/api', '/api/unknown'),
  id.map((x) => `/api/tasks/${x}`),
  id.map((x) => `/api/tasks/${x}/original`),
  id.map((x) => `/api/tasks/${x}/converted`),
  awkwardText.map((x) => `/api/files/${encodeURIComponent(x)}`),
);
const query = fc.option(fc.dictionary(fc.constantFrom('max', 'order', 'redirect', 'x', 'max[]'), fc.oneof(awkwardText, fc.integer().map(String)), { maxKeys: 3 }).map((q) => new URLSearchParams(q).toString()), { nil: undefined });
const fields = fc.dictionary(fc.constantFrom('newFormat', 'bitrate', 'sampleRate', 'channels', 'username', 'password', 'email', 'password1', 'password2', 'fileName', 'other'), fc.oneof(awkwardText, fc.constantFrom('mp3', 'flac', 'acc', '192k', '44100', '2', '99999999999')), { maxKeys: 5 });
const body = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fields.map((f) => ({ kind: 'json' as const, value: JSON.stringify(f) })),
  fc.jsonValue().map((v) => ({ kind: 'json' as const, value: JSON.stringify(v) ?? 'null' })),
  fields.map((f) => ({ kind: 'urlencoded' as const, value: new URLSearchParams(f).toString() })),
  fc.record({ f: fields, fileName: fc.option(awkwardText), fileField: fc.constantFrom('fileName', 'file', 'other'), bytes: fc.uint8Array({ maxLength: 2048 }) }).map((v) => ({ kind: 'multipart' as const, ...v })),
  fc.string({ maxLength: 300 }).map((value) => ({ kind: 'raw' as const, value })),
);
const auth = fc.constantFrom('valid', 'none', 'garbage', 'bearer-empty');
const extraHeaders = fc.dictionary(fc.constantFrom('range', 'accept', 'x-request-id', 'content-encoding', 'accept-encoding'), fc.oneof(awkwardText.filter((s) => /^[\t\x20-\x7e]*$/.test(s)), fc.constantFrom('bytes=0-1', 'bytes=99999999-', 'bytes=-5', 'gzip', 'br')), { maxKeys: 2 });

type Body = typeof body extends fc.Arbitrary<infer B> ? B : never;

async function encode(b: Body, contentType: string | undefined): Promise<{ payload?: Buffer | string; contentType?: string }> {
  switch (b.kind) {
    case 'none':
      return { contentType };
    case 'multipart': {
      const parts: Array<[string, string] | [string, Buffer, string]> = Object.entries(b.f);
      if (b.fileName !== null) parts.push([b.fileField, Buffer.from(b.bytes), b.fileName]);
      const encoded = await multipart(parts);
      // Sometimes the boundary the body uses, sometimes the fuzzed header (wrong or missing boundary).
      return { payload: encoded.payload, contentType: contentType === 'multipart/form-data; boundary=fuzzboundary' ? contentType : encoded.headers['content-type'] };
    }
    default:
      return { payload: b.value, contentType };
  }
}

async function request(app: App, token: string, input: { method: string; path: string; query?: string; contentType?: string; body: Body; auth: string; headers: Record<string, string> }) {
  const { payload, contentType } = await encode(input.body, input.contentType);
  const headers: Record<string, string> = { ...input.headers };
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (input.auth === 'valid') headers.authorization = `Bearer ${token}`;
  if (input.auth === 'garbage') headers.authorization = 'Bearer not.a.token';
  if (input.auth === 'bearer-empty') headers.authorization = 'Bearer ';
  const url = input.query ? `${input.path}?${input.query}` : input.path;
  const answer = app.inject({ method: input.method as 'GET', url, headers, payload });
  const timeout = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), HANG_MS).unref());
  return Promise.race([answer, timeout]);
}

t.test('random requests: no 5xx, no hang', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  let requests = 0;
  let http5xx = 0;
  let hangs = 0;
  const statuses = new Map<number, number>();
  const property = fc.asyncProperty(
    fc.record({ method: fc.constantFrom(...METHODS), path, query, contentType: fc.constantFrom(...CONTENT_TYPES), body, auth, headers: extraHeaders }),
    async (input) => {
      requests += 1;
      const response = await request(app, user.token, input);
      if (response === 'hang') {
        hangs += 1;
        return false;
      }
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      if (response.statusCode >= 500) {
        http5xx += 1;
        return false;
      }
      return true;
    },
  );
  const result = await fc.check(property, { numRuns: RUNS, seed: SEED, endOnFailure: false });
  reportFigures(t, {
    scenario: `7 fuzzing: ${RUNS} random requests`,
    submitted: requests,
    processed: 0,
    failedWithReason: 0,
    lost: 0,
    emailsPerTask: '-',
    http5xx,
    recoverSeconds: 0,
    notes: `seed ${SEED}; ${hangs} hangs; statuses ${[...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`,
  });
  if (result.failed) t.comment(`replay with FUZZ_SEED=${result.seed} (path ${result.counterexamplePath}): ${JSON.stringify(result.counterexample)?.slice(0, 2000)}`);
  t.notOk(result.failed, `seed ${result.seed}: no 5xx, no hang`);
});

t.test('audio truncated or corrupted at random offsets: a 4xx, or a task that ends with a reason', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const sources = { wav: await audioBytes('wav', 2), mp3: await audioBytes('mp3', 2), flac: await audioBytes('flac', 2) };
  let submitted = 0;
  let processed = 0;
  let failedWithReason = 0;
  let rejected = 0;
  let http5xx = 0;
  const property = fc.asyncProperty(
    fc.constantFrom('wav', 'mp3', 'flac') as fc.Arbitrary<keyof typeof sources>,
    fc.constantFrom('truncate', 'corrupt'),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    async (format, damage, at, noise) => {
      const original = sources[format];
      const offset = Math.floor(at * original.length);
      const bytes = damage === 'truncate' ? original.subarray(0, offset) : Buffer.concat([original.subarray(0, offset), Buffer.from(noise), original.subarray(offset + noise.length)]);
      const encoded = await multipart([['newFormat', 'mp3'], ['fileName', bytes, `damaged.${format}`]]);
      const response = await app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, ...encoded.headers }, payload: encoded.payload });
      submitted += 1;
      if (response.statusCode >= 500) {
        http5xx += 1;
        return false;
      }
      if (response.statusCode !== 201) {
        rejected += 1;
        return response.statusCode >= 400;
      }
      const taskId = response.json<{ id: number }>().id;
      await processTask(deps, { taskId, version: 1 }, new AbortController().signal);
      const task = await deps.db.task.findUniqueOrThrow({ where: { id: taskId } });
      if (task.status === 'processed') processed += 1;
      else if (task.status === 'failed' && task.statusReason) failedWithReason += 1;
      else return false;
      return true;
    },
  );
  const runs = Number(process.env.FUZZ_AUDIO_RUNS ?? 24);
  const result = await fc.check(property, { numRuns: runs, seed: SEED });
  reportFigures(t, {
    scenario: `7 fuzzing: ${runs} damaged audio uploads`,
    submitted,
    processed,
    failedWithReason,
    lost: submitted - processed - failedWithReason - rejected,
    emailsPerTask: '-',
    http5xx,
    recoverSeconds: 0,
    notes: `seed ${SEED}; ${rejected} rejected with a 4xx`,
  });
  if (result.failed) t.comment(`replay with FUZZ_SEED=${result.seed} (path ${result.counterexamplePath}): ${JSON.stringify(result.counterexample)?.slice(0, 500)}`);
  t.notOk(result.failed, `seed ${result.seed}: every damaged file is a 4xx or ends with a reason`);
});

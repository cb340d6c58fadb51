// uploadStream and uploadFile against the S3 emulator: the bytes arrive whole whatever the chunks
// or the file's size, and a failing stream leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import t from 'tap';
import { createS3, uploadFile, uploadStream } from '../../src/storage/s3.ts';
import { testConfig } from '../helpers/env.ts';

const MiB = 1024 * 1024;
const config = testConfig();
const bucket = config.S3_BUCKET;
const s3 = createS3(config);
t.teardown(() => s3.destroy());

/** `bytes` as a stream of chunks of uneven sizes, as a socket or busboy gives them. */
function chunked(bytes: Buffer, fail?: Error): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0, i = 0; offset < bytes.length; i++) {
        const size = [65536, 1, 40_000, 3 * MiB][i % 4]!;
        yield bytes.subarray(offset, offset + size);
        offset += size;
      }
      if (fail) throw fail;
    })(),
  );
}

const stored = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const prefix = `upload-stream-${randomBytes(4).toString('hex')}`;

t.test('the bytes arrive whole: empty, one part, exactly one part, several parts, one after another', async (t) => {
  // Several uploads in turn also use the same part buffers again: stale bytes of one must not reach another.
  for (const size of [0, 1, 3 * MiB, 5 * MiB, 5 * MiB + 1, 12 * MiB + 17, 2 * MiB]) {
    const bytes = randomBytes(size);
    const key = `${prefix}/${size}`;
    await uploadStream(s3, bucket, key, chunked(bytes), 'audio/wav');
    t.ok((await stored(key)).equals(bytes), `${size} bytes`);
  }
});

t.test('a file arrives whole, read part by part: empty, one part, exactly one and two parts, several', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cct-upload-file-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const size of [0, 1, 5 * MiB, 10 * MiB, 12 * MiB + 17]) {
    const bytes = randomBytes(size);
    const path = join(dir, String(size));
    await writeFile(path, bytes);
    const key = `${prefix}/file-${size}`;
    await uploadFile(s3, bucket, key, path, 'audio/wav');
    t.ok((await stored(key)).equals(bytes), `${size} bytes`);
  }
});

t.test('two uploads at once do not mix their bytes', async (t) => {
  const [a, b] = [randomBytes(11 * MiB), randomBytes(6 * MiB)];
  await Promise.all([uploadStream(s3, bucket, `${prefix}/a`, chunked(a), 'audio/wav'), uploadStream(s3, bucket, `${prefix}/b`, chunked(b), 'audio/wav')]);
  t.ok((await stored(`${prefix}/a`)).equals(a));
  t.ok((await stored(`${prefix}/b`)).equals(b));
});

t.test('a stream that fails after some parts: its error, and no object', async (t) => {
  const key = `${prefix}/failed`;
  await t.rejects(uploadStream(s3, bucket, key, chunked(randomBytes(12 * MiB), new Error('client went away')), 'audio/wav'), /client went away/);
  await t.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), { name: 'NotFound' });
});

// readParts on the local file system: parts of the pool's size, and a file cut while it is read.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PartBuffers, readParts } from '../../src/storage/part-buffers.ts';

const dir = await mkdtemp(join(tmpdir(), 'cct-parts-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));
const PART = 64 * 1024;

t.test('a file in parts of the pool size, the last one shorter and marked last', async (t) => {
  const bytes = randomBytes(2 * PART + 100);
  const path = join(dir, 'whole.bin');
  await writeFile(path, bytes);
  const file = await open(path);
  t.teardown(() => file.close());
  const pool = new PartBuffers(PART, 2);
  const parts: Array<{ length: number; last: boolean }> = [];
  const read: Buffer[] = [];
  for await (const part of readParts(file, pool)) {
    parts.push({ length: part.bytes.length, last: part.last });
    read.push(Buffer.from(part.bytes));
    pool.give(part.buffer);
  }
  t.same(parts, [{ length: PART, last: false }, { length: PART, last: false }, { length: 100, last: true }]);
  t.ok(Buffer.concat(read).equals(bytes), 'the same bytes in order');
});

t.test('a file cut short while it is read fails with how much was missing, not a short part', async (t) => {
  const path = join(dir, 'cut.bin');
  await writeFile(path, randomBytes(3 * PART));
  const file = await open(path);
  t.teardown(() => file.close());
  const parts = readParts(file, new PartBuffers(PART, 2));
  t.equal((await parts.next()).value?.bytes.length, PART, 'the first part, of the size read at the start');
  await truncate(path, PART + PART / 2);
  await t.rejects(parts.next(), { message: `the file ended ${PART / 2 + PART} bytes short of its size` });
});

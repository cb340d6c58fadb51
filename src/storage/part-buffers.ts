// The parts of uploads to S3, filled in buffers that are used again. Fresh 5 MiB buffers for
// every part (what @aws-sdk/lib-storage does: it concatenates the chunks of each part) made the
// largest item in the web process's upload profile, after garbage collection they fed: about
// 10 ms of CPU per 5 MB, where copying into memory already in use costs well under one.
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export class PartBuffers {
  private readonly idle: Buffer[] = [];

  /** Keeps up to `keep` idle buffers of `size` bytes; more in use at once are made, then dropped. */
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Only once nothing reads the buffer any more (its request has ended). */
  give(buffer: Buffer): void {
    if (this.idle.length < this.keep) this.idle.push(buffer);
  }
}

export interface Part {
  /** Taken from the pool: give it back once the part is sent. */
  buffer: Buffer;
  bytes: Buffer;
  last: boolean;
}

/**
 * The bytes of `stream` in parts of the pool's size (the last one that size or shorter, one empty
 * part for an empty stream). The next part is read only when the caller asks for it.
 */
export async function* fillParts(stream: Readable, pool: PartBuffers): AsyncGenerator<Part> {
  let buffer = pool.take();
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let offset = 0; offset < chunk.length; ) {
      // A full part goes once more bytes come: a stream of exactly one part's size is one part.
      if (length === buffer.length) {
        yield { buffer, bytes: buffer, last: false };
        buffer = pool.take();
        length = 0;
      }
      const copied = chunk.copy(buffer, length, offset);
      length += copied;
      offset += copied;
    }
  }
  yield { buffer, bytes: buffer.subarray(0, length), last: true };
}

/** The same from a file, read straight into the pool's buffers: no chunks to copy or collect. */
export async function* readParts(file: FileHandle, pool: PartBuffers): AsyncGenerator<Part> {
  const { size } = await file.stat();
  let position = 0;
  do {
    const buffer = pool.take();
    const want = Math.min(buffer.length, size - position);
    let length = 0;
    while (length < want) {
      const { bytesRead } = await file.read(buffer, length, want - length, position + length);
      if (bytesRead === 0) throw new Error(`the file ended ${size - position - length} bytes short of its size`);
      length += bytesRead;
    }
    position += length;
    yield { buffer, bytes: buffer.subarray(0, length), last: position >= size };
  } while (position < size);
}

import type { FastifyReply, FastifyRequest } from 'fastify';

/** Beyond this much unread body, closing the connection is cheaper than reading it. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads and discards what is left of a request body, so that a proxy that streams
 * uploads (nginx with proxy_request_buffering off) sees the reply instead of a
 * broken pipe. A body too large to drain gets the connection closed after the reply.
 */
export async function drainRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.readableEnded || raw.destroyed) return;
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > MAX_DRAIN_BYTES) {
    reply.header('connection', 'close');
    return;
  }
  raw.unpipe();
  let read = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      raw.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_DRAIN_BYTES) {
        reply.header('connection', 'close');
        done();
      }
    };
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    setTimeout(done, 30_000).unref(); // a client that stops sending must not hold the reply forever
    raw.resume();
  });
}

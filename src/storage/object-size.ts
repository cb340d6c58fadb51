// The size of an object, which the web tier checks for every direct upload before its task
// exists. Asked as a presigned GET of its first byte, sent with undici: the SDK's HeadObject
// cost about 2.6 ms of CPU a call here, this about a third of it (docs/benchmarks.md). A GET
// rather than a HEAD because the HEAD's connection was closed after each answer (measured
// with the emulator), so every check paid for a new one.
import { Agent, request } from 'undici';
import type { UrlSigner } from './presigned-urls.ts';

export type ObjectSize = ((key: string) => Promise<number | null>) & {
  /** Closes its connections: kept alive, they would hold a stopping process open. */
  close(): Promise<void>;
};

const URL_TTL_SECONDS = 60;
const TIMEOUT_MS = 10_000;

/** `signer` must be made for the services' endpoint (createUrlSigner's `internal`). */
export function createObjectSize(signer: UrlSigner): ObjectSize {
  const agent = new Agent();
  const size = async (key: string) => {
    const { url } = await signer.read(key, URL_TTL_SECONDS);
    const answer = await request(url, { dispatcher: agent, headers: { range: 'bytes=0-0' }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    await answer.body.dump();
    const { statusCode, headers } = answer;
    // "bytes 0-0/<size>"; a server that ignores Range sends the whole object and its length.
    if (statusCode === 206) return Number(String(headers['content-range']).split('/')[1]);
    if (statusCode === 200) return Number(headers['content-length']);
    if (statusCode === 404) return null;
    if (statusCode === 416) return 0; // no first byte: the object is empty
    // As the SDK's errors carry it: the error handler answers 503 for a failing dependency.
    throw Object.assign(new Error(`S3 answered ${statusCode} for the size of ${key}`), { name: 'S3SizeError', $metadata: { httpStatusCode: statusCode } });
  };
  return Object.assign(size, { close: () => agent.close() });
}

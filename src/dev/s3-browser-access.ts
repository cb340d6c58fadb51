// What S3 does for presigned URLs and browsers that the fauxqs emulator does not (TOOLCHAIN.md),
// added to it in the embedded stack so that direct uploads and downloads behave as on S3:
// - presigned URLs are verified: the SigV4 query signature is recomputed with the SDK's own
//   signer (@smithy/signature-v4) over the request as it arrived (method, path, query, the
//   signed headers: a Content-Length other than the signed one fails), and expiry is checked;
// - response-content-disposition / response-content-type override the stored headers;
// - CORS for the given origins (S3's bucket CORS: preflight, Access-Control-* and ETag exposed).
// Requests signed in the Authorization header (the services' own SDK calls) pass as before.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EMULATOR_CREDENTIALS } from './services.ts';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData) =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** The SDK's Hash interface over node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const SIGNING_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

function s3Error(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('content-type', 'application/xml')
    .send(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

/** Date of an X-Amz-Date value (20261201T120000Z). */
const amzDate = (value: string) => new Date(value.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));

/** Why S3 would refuse this presigned request, or null when it is valid. */
export async function presignedProblem(method: string, rawUrl: string, headers: Record<string, string | string[] | undefined>): Promise<string | null> {
  const url = new URL(rawUrl, 'http://placeholder');
  const params = url.searchParams;
  const [accessKeyId, , region, service] = (params.get('X-Amz-Credential') ?? '').split('/');
  const signedAt = amzDate(params.get('X-Amz-Date') ?? '');
  const expiresIn = Number(params.get('X-Amz-Expires'));
  if (!accessKeyId || !region || Number.isNaN(signedAt.getTime()) || !Number.isInteger(expiresIn)) return 'AuthorizationQueryParametersError';
  if (Date.now() > signedAt.getTime() + expiresIn * 1000) return 'AccessDenied: Request has expired';
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (!SIGNING_PARAMS.includes(name) && name !== 'x-amz-content-sha256') query[name] = value;
  const signed: Record<string, string> = { 'x-amz-content-sha256': params.get('x-amz-content-sha256') ?? 'UNSIGNED-PAYLOAD' };
  for (const name of (params.get('X-Amz-SignedHeaders') ?? '').split(';')) {
    const value = headers[name];
    if (value !== undefined) signed[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    service: service ?? 's3',
    region,
    credentials: { accessKeyId, secretAccessKey: EMULATOR_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const expected = await signer.presign(
    { method, protocol: 'http:', hostname: 'placeholder', path: decodeURIComponent(url.pathname), query, headers: signed },
    { signingDate: signedAt, expiresIn },
  );
  const want = Buffer.from(String(expected.query?.['X-Amz-Signature']));
  const got = Buffer.from(params.get('X-Amz-Signature') ?? '');
  return want.length === got.length && timingSafeEqual(want, got) ? null : 'SignatureDoesNotMatch';
}

export function addBrowserAccess(app: FastifyInstance, allowedOrigins: string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    const allowed = origin !== undefined && allowedOrigins.includes(origin);
    if (allowed) reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', 'ETag').header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      if (!allowed) return s3Error(reply, 403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.');
      return reply
        .code(200)
        .header('access-control-allow-methods', 'GET, HEAD, PUT, POST')
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '')
        .header('access-control-max-age', '3600')
        .send();
    }
    if (!request.url.includes('X-Amz-Signature=')) return;
    const problem = await presignedProblem(request.method, request.url, request.headers);
    if (problem) return s3Error(reply, 403, problem.split(':')[0]!, problem);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const query = request.query as Record<string, string | undefined>;
    if (request.method === 'GET' && reply.statusCode < 300) {
      if (query['response-content-disposition']) reply.header('content-disposition', query['response-content-disposition']);
      if (query['response-content-type']) reply.header('content-type', query['response-content-type']);
    }
    return payload;
  });
}

// Presigned S3 URLs: clients move the bytes to and from S3 themselves; the web tier only signs.
// Signed with SignatureV4 directly rather than the SDK's getSignedUrl, which runs the whole
// middleware stack per URL (about ten times the CPU here, docs/benchmarks.md). The URLs name
// S3_PUBLIC_ENDPOINT when browsers reach S3 elsewhere than the services do (Compose).
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import contentDisposition from 'content-disposition';
import type { Config } from '../config.ts';

export interface PresignedRequest {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  /** Headers the client must send as they are: they are signed. So is Content-Length, which clients set themselves. */
  headers: Record<string, string>;
}

export interface UrlSigner {
  /** scheme://host[:port] of the URLs, for the web UI's Content-Security-Policy. */
  origin: string;
  put(key: string, bytes: number, contentType: string, expiresIn: number): Promise<PresignedRequest>;
  uploadPart(key: string, multipartId: string, partNumber: number, bytes: number, expiresIn: number): Promise<PresignedRequest>;
  completeMultipart(key: string, multipartId: string, expiresIn: number): Promise<PresignedRequest>;
  /** A GET that downloads under `fileName` with `contentType`, whatever the object's own metadata. */
  get(key: string, fileName: string, contentType: string, expiresIn: number): Promise<PresignedRequest>;
  /** A plain GET (for the services' own requests, with a signer made for the internal endpoint). */
  read(key: string, expiresIn: number): Promise<PresignedRequest>;
}

/** Path-style at an emulator's endpoint, virtual-hosted on AWS (as the SDK addresses them). */
export function publicBucketUrl(config: Config, endpoint = config.S3_PUBLIC_ENDPOINT ?? config.AWS_ENDPOINT_URL): URL {
  if (endpoint) return new URL(`${endpoint.replace(/\/$/, '')}/${config.S3_BUCKET}/`);
  return new URL(`https://${config.S3_BUCKET}.s3.${config.AWS_REGION}.amazonaws.com/`);
}

/**
 * Signs with the S3 client's own credentials (they refresh themselves on AWS), for browsers
 * (S3_PUBLIC_ENDPOINT) or, `internal`, for requests of the services themselves.
 */
export function createUrlSigner(config: Config, s3: S3Client, { internal = false } = {}): UrlSigner {
  const base = internal ? publicBucketUrl(config, config.AWS_ENDPOINT_URL) : publicBucketUrl(config);
  const signer = new SignatureV4({
    service: 's3',
    region: config.AWS_REGION,
    credentials: s3.config.credentials,
    sha256: s3.config.sha256,
    uriEscapePath: false, // S3 keys are escaped once, not twice
    applyChecksum: false,
  });

  async function presign(method: PresignedRequest['method'], key: string, query: Record<string, string>, headers: Record<string, string>, expiresIn: number): Promise<PresignedRequest> {
    const request: Parameters<SignatureV4['presign']>[0] = {
      method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port ? Number(base.port) : undefined,
      path: `${base.pathname}${key}`,
      query,
      // S3 signs no payload hash for presigned URLs: the body is not known when signing.
      headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
    };
    const signed = await signer.presign(request, { expiresIn });
    const url = new URL(signed.path, base.origin);
    for (const [name, value] of Object.entries(signed.query ?? {})) url.searchParams.set(name, String(value));
    const mustSend = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host' && name !== 'content-length'));
    return { method, url: url.toString(), headers: mustSend };
  }

  return {
    origin: base.origin,
    put: (key, bytes, contentType, expiresIn) => presign('PUT', key, {}, { 'content-length': String(bytes), 'content-type': contentType }, expiresIn),
    uploadPart: (key, multipartId, partNumber, bytes, expiresIn) =>
      presign('PUT', key, { partNumber: String(partNumber), uploadId: multipartId }, { 'content-length': String(bytes) }, expiresIn),
    completeMultipart: (key, multipartId, expiresIn) => presign('POST', key, { uploadId: multipartId }, {}, expiresIn),
    get: (key, fileName, contentType, expiresIn) =>
      presign('GET', key, { 'response-content-disposition': contentDisposition(fileName), 'response-content-type': contentType }, {}, expiresIn),
    read: (key, expiresIn) => presign('GET', key, {}, {}, expiresIn),
  };
}

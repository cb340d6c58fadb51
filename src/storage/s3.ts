// Object storage: the client, the key layout, and the streaming operations web and worker share.
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';

export function createS3(config: Config): S3Client {
  const endpoint = config.AWS_ENDPOINT_URL;
  const s3 = new S3Client({
    region: config.AWS_REGION,
    endpoint,
    forcePathStyle: Boolean(endpoint),
    // The SDK's default CRC32 of every byte took about a fifth of an upload's CPU here
    // (docs/benchmarks.md); TLS already guards the bytes in transit.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // For the same reason, bodies held in memory (the 5 MiB parts of uploads) go with an unsigned
  // payload, which S3 accepts: otherwise the signature hashes every byte (SHA-256), the largest
  // item in the web process's upload profile.
  s3.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && ArrayBuffer.isView(request.body)) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'unsignedPayload' },
  );
  return s3;
}

/** Keys come from ids only; the client's file name never reaches S3. */
export const originalKey = (userId: number, taskId: number, format: string) =>
  `users/${userId}/tasks/${taskId}/original.${format}`;

/** A direct upload (POST /api/uploads) stays at this key when it becomes a task. */
export const uploadKey = (userId: number, uploadId: string, format: string) => `users/${userId}/uploads/${uploadId}.${format}`;

/** The version is in the key so that a late, discarded conversion can never overwrite or delete a newer result. */
export const convertedKey = (userId: number, taskId: number, version: number, format: string) =>
  `users/${userId}/tasks/${taskId}/converted.v${version}.${format}`;

/** Streams body to S3 in 5 MiB parts (two in flight), so memory stays flat whatever the size. */
export async function uploadStream(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Readable,
  contentType: string,
  signal?: AbortSignal,
): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    partSize: 5 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  signal?.addEventListener('abort', () => void upload.abort(), { once: true });
  await upload.done();
}

export async function getObject(s3: S3Client, bucket: string, key: string, range?: string): Promise<GetObjectCommandOutput> {
  return s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
}

/** Deleting a missing key is not an error in S3, so this is safe to repeat. */
export async function deleteObjects(s3: S3Client, bucket: string, keys: Array<string | null | undefined>): Promise<void> {
  const objects = keys.filter((k): k is string => Boolean(k)).map((Key) => ({ Key }));
  if (objects.length === 0) return;
  await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
}

export async function startMultipartUpload(s3: S3Client, bucket: string, key: string, contentType: string): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  return UploadId!;
}

/** Frees the parts of an unfinished multipart upload; one already completed or aborted is not an error. */
export async function abortMultipartUpload(s3: S3Client, bucket: string, key: string, multipartId: string): Promise<void> {
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: multipartId })).catch((error: Error) => {
    if (error.name !== 'NoSuchUpload') throw error;
  });
}

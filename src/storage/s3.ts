// Object storage: the client, the key layout, and the streaming operations web and worker share.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { fillParts, PartBuffers, readParts, type Part } from './part-buffers.ts';

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

const PART_BYTES = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
/** Enough for two uploads at once, or one of the worker's and one of the web's, without new memory. */
const partBuffers = new PartBuffers(PART_BYTES, 4);

/**
 * Streams body to S3: one PutObject up to 5 MiB, else a multipart upload in 5 MiB parts (two in
 * flight, then reading waits), so memory stays flat whatever the size. A failure, or the end of
 * `signal`, aborts the multipart upload: nothing is left behind.
 */
export function uploadStream(s3: S3Client, bucket: string, key: string, body: Readable, contentType: string, signal?: AbortSignal): Promise<void> {
  return uploadParts(s3, bucket, key, fillParts(body, partBuffers), contentType, signal);
}

/** The same for a file on disk, read straight into the part buffers: a third of the CPU of streaming it (docs/benchmarks.md). */
export async function uploadFile(s3: S3Client, bucket: string, key: string, path: string, contentType: string, signal?: AbortSignal): Promise<void> {
  const file = await open(path);
  try {
    await uploadParts(s3, bucket, key, readParts(file, partBuffers), contentType, signal);
  } finally {
    await file.close();
  }
}

async function uploadParts(s3: S3Client, bucket: string, key: string, source: AsyncIterable<Part>, contentType: string, signal?: AbortSignal): Promise<void> {
  const options = { abortSignal: signal };
  let multipartId: string | undefined;
  let parts = 0;
  const sending: Array<Promise<unknown>> = [];
  const completed: CompletedPart[] = [];
  try {
    for await (const { buffer, bytes, last } of source) {
      // A buffer goes back to the pool only after a request that succeeded: one that failed may still be writing it.
      if (last && !multipartId) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, Body: bytes }), options);
        partBuffers.give(buffer);
        return;
      }
      multipartId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }), options)).UploadId!;
      const PartNumber = ++parts;
      const sent = s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: multipartId, PartNumber, Body: bytes }), options).then(({ ETag }) => {
        partBuffers.give(buffer);
        completed.push({ PartNumber, ETag });
      });
      sent.catch(() => {}); // its failure is seen where it is awaited, below or in the catch
      sending.push(sent);
      if (sending.length >= PARTS_IN_FLIGHT) await sending.shift();
    }
    await Promise.all(sending);
    completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: multipartId, MultipartUpload: { Parts: completed } }), options);
  } catch (error) {
    if (multipartId) {
      await Promise.allSettled(sending); // parts still arriving after the abort would stay stored
      await abortMultipartUpload(s3, bucket, key, multipartId);
    }
    throw error;
  }
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

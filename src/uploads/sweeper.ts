// Uploads that never became a task: their objects (or unfinished multipart uploads) are
// deleted once their URLs have long expired, then the records of every expired upload go.
// The worker runs this in every environment; on AWS the bucket's lifecycle rules on users/
// also abort unfinished multipart uploads after a day and expire everything after the retention.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Database } from '../db/client.ts';
import { abortMultipartUpload, deleteObjects } from '../storage/s3.ts';
import { deleteUploads, findSweepable } from './records.ts';

/** Sweeps up to `take` expired uploads; returns how many records it removed. */
export async function sweepExpiredUploads(db: Database, s3: S3Client, bucket: string, take = 500): Promise<number> {
  const expired = await findSweepable(db, take);
  const unused = expired.filter((upload) => !upload.usedAt);
  for (const upload of unused) {
    if (upload.multipartId) await abortMultipartUpload(s3, bucket, upload.objectKey, upload.multipartId);
  }
  await deleteObjects(s3, bucket, unused.map((upload) => upload.objectKey));
  await deleteUploads(db, expired.map((upload) => upload.id));
  return expired.length;
}

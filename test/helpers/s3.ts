import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3 } from '../../src/storage/s3.ts';
import { testConfig } from './env.ts';

const s3 = createS3(testConfig());

/** Keys stored under a user's prefix in the run's bucket. */
export async function userObjects(userId: number): Promise<string[]> {
  const listing = await s3.send(new ListObjectsV2Command({ Bucket: testConfig().S3_BUCKET, Prefix: `users/${userId}/` }));
  return (listing.Contents ?? []).map((o) => o.Key!).sort();
}

// The sweeper for stored files that no task names: an original whose web process died
// between the end of its upload and the task's insert, or a result whose worker died
// between storing it and recording it. Only objects older than the grace period are
// considered, so an upload or a conversion that is about to record its file is never touched.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Database } from '../db/client.ts';
import { deleteObjects } from '../storage/s3.ts';

/** The keys this service writes (src/storage/s3.ts); anything else in the bucket is not ours to judge. */
const TASK_FILE = /^users\/\d+\/tasks\/\d+\/(original|converted)\.[^/]+$/;

/** Deletes task files older than graceMs that no task references; returns how many. */
export async function deleteUnreferencedFiles(db: Database, s3: S3Client, bucket: string, graceMs: number, prefix = 'users/'): Promise<number> {
  const cutoff = Date.now() - graceMs;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    token = page.NextContinuationToken;
    const old = (page.Contents ?? []).filter((o) => o.Key && TASK_FILE.test(o.Key) && (o.LastModified?.getTime() ?? Infinity) < cutoff).map((o) => o.Key!);
    if (old.length === 0) continue;
    const tasks = await db.task.findMany({ where: { OR: [{ inputKey: { in: old } }, { outputKey: { in: old } }] }, select: { inputKey: true, outputKey: true } });
    const referenced = new Set(tasks.flatMap((task) => [task.inputKey, task.outputKey]));
    const orphans = old.filter((key) => !referenced.has(key));
    await deleteObjects(s3, bucket, orphans);
    deleted += orphans.length;
  } while (token);
  return deleted;
}

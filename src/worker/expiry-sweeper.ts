// Deletes the files of tasks older than FILE_RETENTION_DAYS and marks the tasks expired
// (src/tasks). The row is marked first, so downloads answer 410 at once; a delete that fails
// is left to the S3 lifecycle rule of the same age (terraform/modules/storage).
import { deleteObjects } from '../storage/s3.ts';
import { expireTasks } from '../tasks/transitions.ts';
import type { WorkerDeps } from './deps.ts';

export const EXPIRY_SWEEP_MS = 60_000;

/** Expires what is due; returns how many files it deleted. */
export async function sweepExpired(deps: WorkerDeps): Promise<number> {
  let deleted = 0;
  for (;;) {
    const keys = await expireTasks(deps.db, deps.config.FILE_RETENTION_DAYS);
    if (keys.length === 0) return deleted;
    await deleteObjects(deps.s3, deps.config.S3_BUCKET, keys);
    deleted += keys.length;
  }
}

// Direct upload records (prisma model Upload): made by POST /api/uploads, used once by
// POST /api/tasks (src/tasks/transitions.ts, createTaskFromUpload), swept after they expire.
import type { Database } from '../db/client.ts';

/** A task may still be made this long after an upload's URLs expired (a PUT that began just before). */
export const CLAIM_GRACE_MS = 15 * 60_000;
/** The sweeper waits longer than that, so it never deletes what a request is turning into a task. */
export const SWEEP_AFTER_MS = 2 * CLAIM_GRACE_MS;

export interface NewUpload {
  id: string;
  userId: number;
  fileName: string;
  sourceFormat: string;
  contentType: string;
  objectKey: string;
  bytes: number;
  multipartId: string | null;
  expiresAt: Date;
}

export const createUpload = (db: Database, upload: NewUpload) => db.upload.create({ data: { ...upload, bytes: BigInt(upload.bytes) } });

/** The user's upload that may still become a task (used or not); null when unknown, another user's or expired. */
export const findOwnUpload = (db: Database, id: string, userId: number) =>
  db.upload.findFirst({ where: { id, userId, expiresAt: { gt: new Date(Date.now() - CLAIM_GRACE_MS) } } });

export const findSweepable = (db: Database, take: number) =>
  db.upload.findMany({ where: { expiresAt: { lt: new Date(Date.now() - SWEEP_AFTER_MS) } }, orderBy: { expiresAt: 'asc' }, take });

export const deleteUploads = (db: Database, ids: string[]) => db.upload.deleteMany({ where: { id: { in: ids } } });

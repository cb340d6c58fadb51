// Direct upload records (prisma model Upload): made by POST /api/uploads, used once by
// POST /api/tasks (src/tasks/transitions.ts, createTaskFromUpload), swept after they expire.
import type { Database } from '../db/client.ts';
import { query, utc } from '../db/sql.ts';
import type { Upload } from '../generated/prisma/client.ts';

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

// Made and read once per direct upload: raw SQL (src/db/sql.ts).
const UPLOAD_FIELDS = `id, user_id AS "userId", file_name AS "fileName", source_format AS "sourceFormat", content_type AS "contentType",
  object_key AS "objectKey", bytes, multipart_id AS "multipartId", expires_at AS "expiresAt", used_at AS "usedAt", created_at AS "createdAt"`;

export async function createUpload(db: Database, u: NewUpload): Promise<void> {
  await query(
    db,
    'create-upload',
    `INSERT INTO uploads (id, user_id, file_name, source_format, content_type, object_key, bytes, multipart_id, expires_at, created_at)
     VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::bigint, $8, $9::timestamp, $10::timestamp)`,
    [u.id, u.userId, u.fileName, u.sourceFormat, u.contentType, u.objectKey, String(u.bytes), u.multipartId, utc(u.expiresAt), utc(new Date())],
  );
}

/** The user's upload that may still become a task (used or not); null when unknown, another user's or expired. */
export async function findOwnUpload(db: Database, id: string, userId: number): Promise<Upload | null> {
  const since = utc(new Date(Date.now() - CLAIM_GRACE_MS));
  const [row] = await query<Upload>(db, 'find-upload', `SELECT ${UPLOAD_FIELDS} FROM uploads WHERE id = $1::uuid AND user_id = $2 AND expires_at > $3::timestamp`, [id, userId, since]);
  return row ?? null;
}

export const findSweepable = (db: Database, take: number) =>
  db.upload.findMany({ where: { expiresAt: { lt: new Date(Date.now() - SWEEP_AFTER_MS) } }, orderBy: { expiresAt: 'asc' }, take });

export const deleteUploads = (db: Database, ids: string[]) => db.upload.deleteMany({ where: { id: { in: ids } } });

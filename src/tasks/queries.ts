// Reads of tasks. Every read for a user names the user: another user's task is "not found".
import type { Database } from '../db/client.ts';
import { query } from '../db/sql.ts';
import { Prisma, TaskStatus } from '../generated/prisma/client.ts';

export const findOwnTask = (db: Database, userId: number, taskId: number) => db.task.findFirst({ where: { id: taskId, userId } });

/** The latest of the user's tasks with this original file name (the original service's /api/files). */
export const findLatestByFileName = (db: Database, userId: number, fileName: string) =>
  db.task.findFirst({ where: { userId, fileName }, orderBy: { id: 'desc' } });

export interface Page {
  max: number;
  descending: boolean;
  /** The id the previous page ended with (the cursor): this page starts after it. */
  after?: number;
}

/** Bumped by a trigger on every change to the user's tasks (migration task_changes): the list's version. */
export async function listVersion(db: Database, userId: number): Promise<bigint | null> {
  // Read on every list and poll: raw SQL (src/db/sql.ts).
  const [row] = await query<{ version: bigint }>(db, 'list-version', 'SELECT tasks_version AS version FROM users WHERE id = $1', [userId]);
  return row?.version ?? null;
}

const iso = (column: string) => Prisma.raw(`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * One page of the user's tasks as the JSON text of the API's task list, built by PostgreSQL
 * (the same fields as task-view.ts, which a test holds them to): the list is the hottest
 * route, and serializing rows through Prisma and JavaScript cost several times more. With the
 * list's version read in the same snapshot, and the id the next page starts after.
 */
export async function listPageJson(db: Database, userId: number, page: Page, retentionDays: number): Promise<{ json: string; version: bigint; next: number | null }> {
  const direction = Prisma.raw(page.descending ? 'DESC' : 'ASC');
  const after = page.after === undefined ? Prisma.empty : page.descending ? Prisma.sql`AND id < ${page.after}` : Prisma.sql`AND id > ${page.after}`;
  const [row] = await db.$queryRaw<Array<{ json: string; version: bigint; count: number; last: number | null }>>`
    WITH page AS (
      SELECT * FROM tasks WHERE user_id = ${userId} ${after} ORDER BY id ${direction} LIMIT ${page.max}
    )
    SELECT (SELECT tasks_version FROM users WHERE id = ${userId}) AS version,
      count(*)::int AS count,
      ${page.descending ? Prisma.sql`min(id)` : Prisma.sql`max(id)`} AS last,
      coalesce(json_agg(json_build_object(
        'id', id, 'fileName', file_name, 'sourceFormat', source_format, 'targetFormat', target_format, 'options', options,
        'status', status, 'statusReason', status_reason, 'progress', progress, 'inputBytes', input_bytes,
        'outputBytes', output_bytes, 'durationSeconds', duration_seconds,
        'createdAt', ${iso('created_at')}, 'updatedAt', ${iso('updated_at')}, 'startedAt', ${iso('started_at')}, 'finishedAt', ${iso('finished_at')},
        'expiresAt', ${iso(`created_at + interval '1 second' * ${retentionDays * 86_400}`)}, 'expired', expired_at IS NOT NULL,
        'links', json_build_object('self', '/api/tasks/' || id, 'original', '/api/tasks/' || id || '/original',
          'converted', CASE WHEN status = 'processed' AND expired_at IS NULL THEN '/api/tasks/' || id || '/converted' END)
      ) ORDER BY id ${direction}), '[]')::text AS json
    FROM page`;
  return { json: row!.json, version: row!.version ?? 0n, next: row!.count === page.max ? row!.last : null };
}

/** Tasks whose message the queue has not accepted for graceMs: the web tier's send failed. */
export const findUnsent = (db: Database, graceMs: number, take = 100) =>
  db.task.findMany({
    where: { status: TaskStatus.uploaded, enqueuedAt: null, updatedAt: { lt: new Date(Date.now() - graceMs) } },
    select: { id: true, version: true },
    orderBy: { id: 'asc' },
    take,
  });

// Reads of tasks. Every read for a user names the user: another user's task is "not found".
import type { Database } from '../db/client.ts';
import { TaskStatus, type Prisma } from '../generated/prisma/client.ts';

export const findOwnTask = (db: Database, userId: number, taskId: number) => db.task.findFirst({ where: { id: taskId, userId } });

/** The latest of the user's tasks with this original file name (the original service's /api/files). */
export const findLatestByFileName = (db: Database, userId: number, fileName: string) =>
  db.task.findFirst({ where: { userId, fileName }, orderBy: { id: 'desc' } });

export function listOwnTasks<S extends Prisma.TaskSelect>(db: Database, userId: number, select: S, page: { max: number; descending: boolean }) {
  return db.task.findMany({ where: { userId }, select, orderBy: { id: page.descending ? 'desc' : 'asc' }, take: page.max });
}

/** Tasks whose message the queue has not accepted for graceMs: the web tier's send failed. */
export const findUnsent = (db: Database, graceMs: number, take = 100) =>
  db.task.findMany({
    where: { status: TaskStatus.uploaded, enqueuedAt: null, updatedAt: { lt: new Date(Date.now() - graceMs) } },
    select: { id: true, version: true },
    orderBy: { id: 'asc' },
    take,
  });

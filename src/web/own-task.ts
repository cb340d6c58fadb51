import type { Database } from '../db/client.ts';
import { notFound } from './errors.ts';

/** The caller's task, or 404 whether it is missing or someone else's (never leak that it exists). */
export async function findOwnTask(db: Database, userId: number, id: number) {
  const task = await db.task.findFirst({ where: { id, userId } });
  if (!task) throw notFound(`Task ${id}`);
  return task;
}

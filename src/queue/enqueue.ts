// Sending a task to the queue, and the sweeper that re-sends what could not be sent.
// A task row is written first and marked `enqueuedAt` only once SQS accepted its
// message, so a failed send leaves a row the sweeper finds: no task is lost.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Database } from '../db/client.ts';
import { sendTaskMessage } from './sqs.ts';

export async function enqueueTask(db: Database, sqs: SQSClient, queueUrl: string, task: { id: number; version: number }): Promise<void> {
  await sendTaskMessage(sqs, queueUrl, { taskId: task.id, version: task.version });
  await db.task.updateMany({ where: { id: task.id, version: task.version }, data: { enqueuedAt: new Date() } });
}

/** Re-sends tasks still waiting for their first successful send after graceMs; returns how many. */
export async function requeueUnsent(db: Database, sqs: SQSClient, queueUrl: string, graceMs: number): Promise<number> {
  const stale = await db.task.findMany({
    where: { status: 'uploaded', enqueuedAt: null, updatedAt: { lt: new Date(Date.now() - graceMs) } },
    select: { id: true, version: true },
    orderBy: { id: 'asc' },
    take: 100,
  });
  for (const task of stale) await enqueueTask(db, sqs, queueUrl, task);
  return stale.length;
}

// Sending a task to the queue, and the sweeper that re-sends what could not be sent.
// A task row is written first and marked enqueued only once SQS accepted its
// message, so a failed send leaves a row the sweeper finds: no task is lost.
import type { Database } from '../db/client.ts';
import type { SendMessage } from '../queue/send-message.ts';
import { sendTaskMessage } from '../queue/sqs.ts';
import { findUnsent } from './queries.ts';
import { markEnqueued } from './transitions.ts';

export async function enqueueTask(db: Database, send: SendMessage, queueUrl: string, task: { id: number; version: number }): Promise<void> {
  const ref = { taskId: task.id, version: task.version };
  await sendTaskMessage(send, queueUrl, ref);
  await markEnqueued(db, ref);
}

/** For the web tier: a queue that is down does not fail the request, the sweeper sends the task later. */
export async function enqueueOrLeaveToSweeper(db: Database, send: SendMessage, queueUrl: string, task: { id: number; version: number }, log: { warn: (details: object, message: string) => void }): Promise<void> {
  try {
    await enqueueTask(db, send, queueUrl, task);
  } catch (error) {
    log.warn({ err: error, taskId: task.id }, 'queue unavailable; the sweeper will send this task');
  }
}

/** Re-sends tasks still waiting for their first successful send after graceMs; returns how many. */
export async function requeueUnsent(db: Database, send: SendMessage, queueUrl: string, graceMs: number): Promise<number> {
  const stale = await findUnsent(db, graceMs);
  for (const task of stale) await enqueueTask(db, send, queueUrl, task);
  return stale.length;
}

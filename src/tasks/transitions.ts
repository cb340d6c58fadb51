// Every change of a task's state, in one place. Each write is conditional on the
// task's (id, version) and on the states it may come from, so that a redelivered
// message, a PUT that re-formats the task or a DELETE racing a worker can never
// undo a newer state: the loser's update matches no row and it backs off.
//
//   uploaded ──claim──> processing ──finish──> processed
//      ^  ^                 │  └──────fail───> failed
//      │  └────release──────┘                    │
//      └──────────────reset (PUT, version + 1)───┘ (from any state)
//
// Becoming final (finish, fail) records the webhook events in the same transaction.
// Expiry deletes no state: it marks the files gone after FILE_RETENTION_DAYS.
import type { Database } from '../db/client.ts';
import { query, utc } from '../db/sql.ts';
import { TaskStatus, type Prisma, type Task } from '../generated/prisma/client.ts';
import { CREATE_TASK, CREATE_TASK_FROM_UPLOAD } from './insert-sql.ts';
import type { ConversionOptions } from '../audio/formats.ts';
import type { TaskMessage } from '../queue/sqs.ts';
import { TASK_EVENTS } from '../webhooks/endpoints.ts';
import { recordTaskEvent } from '../webhooks/events.ts';
import { CLAIM_GRACE_MS } from '../uploads/records.ts';

/** States a queue message may still act on. */
const OPEN: TaskStatus[] = [TaskStatus.uploaded, TaskStatus.processing];
/** States that are owed an email. */
const FINAL: TaskStatus[] = [TaskStatus.processed, TaskStatus.failed];

/** Which version of which task a queue message (or a transition) is about. */
export type TaskRef = TaskMessage;

/** A task's own webhook (`webhookUrl`) and its signing secret. */
export interface TaskWebhook {
  url: string;
  secret: string;
}

export interface NewTask {
  /** From reserveTaskId when the storage key needs it; else the next one. */
  id?: number;
  userId: number;
  fileName: string;
  sourceFormat: string;
  targetFormat: string;
  options: ConversionOptions;
  inputKey: string;
  inputBytes: number;
  webhook?: TaskWebhook;
}

export interface Conversion {
  targetFormat: string;
  options: ConversionOptions;
}

export interface ConversionResult {
  outputKey: string;
  outputBytes: number;
  durationSeconds: number | null;
}

/** Takes the next task id before the upload, so that the S3 key is made of ids; an unused id only leaves a gap. */
export async function reserveTaskId(db: Database): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ id: number }>>`SELECT nextval(pg_get_serial_sequence('tasks', 'id'))::int AS id`;
  return row!.id;
}

/** The parameters of CREATE_TASK (insert-sql.ts). */
const insertValues = (task: NewTask, now: Date) => [
  task.userId,
  task.id ?? null,
  task.fileName,
  task.sourceFormat,
  task.targetFormat,
  { ...task.options },
  task.inputKey,
  String(task.inputBytes),
  utc(now),
  task.webhook?.url ?? null,
  task.webhook ? [...TASK_EVENTS] : null,
  task.webhook?.secret ?? null,
];

/** A new task, `uploaded`, its file already stored. */
export async function createTask(db: Database, task: NewTask): Promise<Task> {
  const [created] = await query<Task>(db, 'create-task', CREATE_TASK, insertValues(task, new Date()));
  return created!;
}

/**
 * A new task, `uploaded`, from a direct upload whose object is already in S3. Claiming the
 * upload and creating the task are one statement, so an upload makes exactly one task; null
 * when it was already used (or is not the user's, or expired).
 */
export async function createTaskFromUpload(db: Database, upload: { id: string; userId: number }, task: NewTask): Promise<Task | null> {
  const now = new Date();
  const values = [...insertValues(task, now), upload.id, utc(new Date(now.getTime() - CLAIM_GRACE_MS))];
  const [created] = await query<Task>(db, 'create-task-from-upload', CREATE_TASK_FROM_UPLOAD, values);
  return created ?? null;
}

/** Records that the queue accepted the message for this version (until then the sweeper re-sends it). */
export async function markEnqueued(db: Database, { taskId, version }: TaskRef): Promise<void> {
  // After every upload: raw SQL (src/db/sql.ts). Bookkeeping a client does not see: updated_at
  // stays, so the list's version does not move (migration visible_task_changes).
  await query(db, 'mark-enqueued', 'UPDATE tasks SET enqueued_at = $3::timestamp WHERE id = $1 AND version = $2', [taskId, version, utc(new Date())]);
}

/** uploaded | processing → processing. Null when the task is gone, re-formatted or already final. */
export async function claimTask(db: Database, { taskId, version }: TaskRef): Promise<Task | null> {
  const [task] = await db.task.updateManyAndReturn({
    where: { id: taskId, version, status: { in: OPEN }, expiredAt: null },
    data: { status: TaskStatus.processing, startedAt: new Date(), progress: 0, statusReason: null },
  });
  return task ?? null;
}

export async function recordProgress(db: Database, { taskId, version }: TaskRef, progress: number): Promise<void> {
  await db.task.updateMany({ where: { id: taskId, version, status: TaskStatus.processing }, data: { progress } });
}

/** A final state and its webhook events, together or not at all. */
function becomeFinal(db: Database, where: Prisma.TaskWhereInput, data: Prisma.TaskUpdateManyMutationInput, retentionDays: number): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [task] = await tx.task.updateManyAndReturn({ where, data });
    if (task) await recordTaskEvent(tx, task, retentionDays);
    return Boolean(task);
  });
}

/** processing → processed; false when the task was deleted or re-formatted meanwhile. */
export function finishTask(db: Database, { taskId, version }: TaskRef, result: ConversionResult, retentionDays: number): Promise<boolean> {
  return becomeFinal(
    db,
    { id: taskId, version, status: TaskStatus.processing, expiredAt: null },
    { ...result, outputBytes: BigInt(result.outputBytes), status: TaskStatus.processed, progress: 100, finishedAt: new Date(), statusReason: null },
    retentionDays,
  );
}

/** uploaded | processing → failed, with the reason the owner reads. */
export function failTask(db: Database, { taskId, version }: TaskRef, reason: string, retentionDays: number): Promise<boolean> {
  return becomeFinal(db, { id: taskId, version, status: { in: OPEN } }, { status: TaskStatus.failed, statusReason: reason, finishedAt: new Date() }, retentionDays);
}

/** processing → uploaded, after a stopping worker aborted the conversion and handed the message back. */
export async function releaseTask(db: Database, { taskId, version }: TaskRef): Promise<boolean> {
  const { count } = await db.task.updateMany({
    where: { id: taskId, version, status: TaskStatus.processing },
    data: { status: TaskStatus.uploaded, progress: 0, startedAt: null },
  });
  return count > 0;
}

/**
 * any state → uploaded with a new target and version + 1, so that messages and results of
 * the old version are dropped. Returns the old result's key for deletion; null when the
 * task is not the user's (or its files expired).
 */
export async function resetTask(db: Database, taskId: number, userId: number, conversion: Conversion): Promise<{ task: Task; previousOutputKey: string | null } | null> {
  for (;;) {
    const old = await db.task.findFirst({ where: { id: taskId, userId, expiredAt: null }, select: { version: true, outputKey: true } });
    if (!old) return null;
    const [task] = await db.task.updateManyAndReturn({
      where: { id: taskId, version: old.version },
      data: {
        targetFormat: conversion.targetFormat,
        options: { ...conversion.options },
        version: old.version + 1,
        status: TaskStatus.uploaded,
        statusReason: null,
        progress: 0,
        outputKey: null,
        outputBytes: null,
        durationSeconds: null,
        enqueuedAt: null,
        notifiedAt: null,
        notificationError: null,
        startedAt: null,
        finishedAt: null,
      },
    });
    if (task) return { task, previousOutputKey: old.outputKey };
    // Another PUT won the race for this version: start again from its result.
  }
}

/** Removes the row first, so that a worker holding the task drops its result. Null when not the user's. */
export async function deleteTask(db: Database, taskId: number, userId: number): Promise<Task | null> {
  const [task] = await db.task.findMany({ where: { id: taskId, userId }, take: 1 });
  if (!task) return null;
  const { count } = await db.task.deleteMany({ where: { id: taskId, userId } });
  return count > 0 ? task : null;
}

/**
 * Tasks created more than retentionDays ago whose files are still kept → expired, up to
 * `take` at a time. Returns the S3 keys to delete; the row and its status stay.
 */
export async function expireTasks(db: Database, retentionDays: number, take = 100): Promise<string[]> {
  const cutoff = new Date(Date.now() - retentionDays * 86_400_000);
  const due = await db.task.findMany({ where: { createdAt: { lt: cutoff }, expiredAt: null }, select: { id: true }, orderBy: { id: 'asc' }, take });
  const expired = await db.task.updateManyAndReturn({
    where: { id: { in: due.map((t) => t.id) }, expiredAt: null },
    data: { expiredAt: new Date() },
    select: { inputKey: true, outputKey: true },
  });
  return expired.flatMap((t) => [t.inputKey, t.outputKey ?? []].flat());
}

/** Claims the one email of a final version; null when it is not final or was already claimed. */
export async function claimNotification(db: Database, { taskId, version }: TaskRef) {
  const { count } = await db.task.updateMany({ where: { id: taskId, version, notifiedAt: null, status: { in: FINAL } }, data: { notifiedAt: new Date() } });
  if (count === 0) return null;
  return db.task.findUnique({ where: { id: taskId }, include: { user: { select: { email: true } } } });
}

/** Gives the claim back after the email could not be sent, so a redelivery sends it. */
export async function releaseNotification(db: Database, { taskId, version }: TaskRef): Promise<void> {
  await db.task.updateMany({ where: { id: taskId, version }, data: { notifiedAt: null } });
}

/** The email of this version will not be sent: records why, for the owner's support request and the operator. */
export async function giveUpNotification(db: Database, { taskId, version }: TaskRef, reason: string): Promise<void> {
  await db.task.updateMany({ where: { id: taskId, version, notifiedAt: null }, data: { notificationError: reason } });
}

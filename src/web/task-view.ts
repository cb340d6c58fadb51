// The mapping from a task row to what a client sees (src/web/schemas/task.ts).
import { TaskStatus, type Prisma } from '../generated/prisma/client.ts';
import type { TargetFormatName } from '../audio/formats.ts';
import type { TaskJson, TaskOptions } from './schemas/task.ts';

/** The columns a client sees; listing reads only these. */
export const taskViewSelect = {
  id: true,
  fileName: true,
  sourceFormat: true,
  targetFormat: true,
  options: true,
  status: true,
  statusReason: true,
  progress: true,
  inputBytes: true,
  outputBytes: true,
  durationSeconds: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
  expiredAt: true,
} as const satisfies Prisma.TaskSelect;

type TaskRow = Prisma.TaskGetPayload<{ select: typeof taskViewSelect }>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** When a task's files are (or were) deleted: FILE_RETENTION_DAYS after its upload. */
export const filesExpireAt = (createdAt: Date, retentionDays: number) => new Date(createdAt.getTime() + retentionDays * 86_400_000);

export function taskView(task: TaskRow, retentionDays: number): TaskJson {
  const self = `/api/tasks/${task.id}`;
  const expired = task.expiredAt !== null;
  return {
    id: task.id,
    fileName: task.fileName,
    sourceFormat: task.sourceFormat,
    targetFormat: task.targetFormat as TargetFormatName,
    options: task.options as TaskOptions,
    status: task.status,
    statusReason: task.statusReason,
    progress: task.progress,
    inputBytes: Number(task.inputBytes),
    outputBytes: task.outputBytes === null ? null : Number(task.outputBytes),
    durationSeconds: task.durationSeconds,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    startedAt: iso(task.startedAt),
    finishedAt: iso(task.finishedAt),
    expiresAt: filesExpireAt(task.createdAt, retentionDays).toISOString(),
    expired,
    links: { self, original: `${self}/original`, converted: task.status === TaskStatus.processed && !expired ? `${self}/converted` : null },
  };
}

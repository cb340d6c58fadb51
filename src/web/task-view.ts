// What a client sees of a task: the response schema (nothing internal leaks) and the mapping to it.
import Type from 'typebox';
import { TARGET_FORMAT_NAMES } from '../audio/formats.ts';
import type { Prisma } from '../generated/prisma/client.ts';

// `type: [x, 'null']` rather than anyOf: fast-json-stringify serializes it directly, where
// anyOf made it run the validator (date-time formats included) on every field of every row.
const Nullable = <T extends Type.TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Type.Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
const DateTime = Type.String({ format: 'date-time' });

export const OptionsSchema = Type.Object({
  bitrate: Type.Optional(Type.Integer({ description: 'kbit/s' })),
  sampleRate: Type.Optional(Type.Integer({ description: 'Hz' })),
  channels: Type.Optional(Type.Integer()),
});

export const TaskSchema = Type.Object(
  {
    id: Type.Integer(),
    fileName: Type.String(),
    sourceFormat: Type.String(),
    targetFormat: Type.Unsafe<string>({ type: 'string', enum: TARGET_FORMAT_NAMES }),
    options: OptionsSchema,
    status: Type.Unsafe<'uploaded' | 'processing' | 'processed' | 'failed'>({ type: 'string', enum: ['uploaded', 'processing', 'processed', 'failed'] }),
    statusReason: Nullable(Type.String()),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    inputBytes: Type.Integer(),
    outputBytes: Nullable(Type.Integer()),
    durationSeconds: Nullable(Type.Number()),
    createdAt: DateTime,
    updatedAt: DateTime,
    startedAt: Nullable(DateTime),
    finishedAt: Nullable(DateTime),
    links: Type.Object({ self: Type.String(), original: Type.String(), converted: Nullable(Type.String()) }),
  },
  { $id: 'Task' },
);

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
} as const satisfies Prisma.TaskSelect;

type TaskRow = Prisma.TaskGetPayload<{ select: typeof taskViewSelect }>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function taskView(task: TaskRow) {
  const self = `/api/tasks/${task.id}`;
  return {
    id: task.id,
    fileName: task.fileName,
    sourceFormat: task.sourceFormat,
    targetFormat: task.targetFormat,
    options: task.options as Type.Static<typeof OptionsSchema>,
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
    links: { self, original: `${self}/original`, converted: task.status === 'processed' ? `${self}/converted` : null },
  };
}

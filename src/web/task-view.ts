// What a client sees of a task: the response schema (nothing internal leaks) and the mapping to it.
import Type from 'typebox';
import { TARGET_FORMAT_NAMES } from '../audio/formats.ts';
import type { Task } from '../generated/prisma/client.ts';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
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
    status: Type.Union([Type.Literal('uploaded'), Type.Literal('processing'), Type.Literal('processed'), Type.Literal('failed')]),
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

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function taskView(task: Task) {
  const self = `/api/tasks/${task.id}`;
  return {
    ...task,
    options: task.options as Type.Static<typeof OptionsSchema>,
    inputBytes: Number(task.inputBytes),
    outputBytes: task.outputBytes === null ? null : Number(task.outputBytes),
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    startedAt: iso(task.startedAt),
    finishedAt: iso(task.finishedAt),
    links: { self, original: `${self}/original`, converted: task.status === 'processed' ? `${self}/converted` : null },
  };
}

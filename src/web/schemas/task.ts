// What a client sees of a task. The web UI imports the type (type-only), so keep this
// file free of server-only imports.
import Type from 'typebox';
import { TARGET_FORMAT_NAMES, type TargetFormatName } from '../../audio/formats.ts';
import { TaskStatus } from '../../generated/prisma/enums.ts';

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

/** Presigned, expiring S3 URLs of the files; only in GET /api/tasks/:id, so that a list signs nothing. */
export const TaskUrlsSchema = Type.Object({
  original: Type.String(),
  converted: Nullable(Type.String()),
  expiresAt: DateTime,
});

export const TaskStatusSchema = Type.Unsafe<TaskStatus>({ type: 'string', enum: Object.values(TaskStatus) });

export const TaskSchema = Type.Object(
  {
    id: Type.Integer(),
    fileName: Type.String(),
    sourceFormat: Type.String(),
    targetFormat: Type.Unsafe<TargetFormatName>({ type: 'string', enum: TARGET_FORMAT_NAMES }),
    options: OptionsSchema,
    status: TaskStatusSchema,
    statusReason: Nullable(Type.String()),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    inputBytes: Type.Integer(),
    outputBytes: Nullable(Type.Integer()),
    durationSeconds: Nullable(Type.Number()),
    createdAt: DateTime,
    updatedAt: DateTime,
    startedAt: Nullable(DateTime),
    finishedAt: Nullable(DateTime),
    expiresAt: Type.String({ format: 'date-time', description: 'when the original and the result are (or were) deleted: FILE_RETENTION_DAYS after the upload' }),
    expired: Type.Boolean({ description: 'true once the files were deleted; downloads then answer 410 Gone' }),
    links: Type.Object({ self: Type.String(), original: Type.String(), converted: Nullable(Type.String()) }),
    urls: Type.Optional(TaskUrlsSchema),
  },
  { $id: 'Task' },
);

export type TaskJson = Type.Static<typeof TaskSchema>;
export type TaskOptions = Type.Static<typeof OptionsSchema>;
export type TaskUrls = Type.Static<typeof TaskUrlsSchema>;
export { TaskStatus };

// POST /api/tasks: the file streams from the request to S3, never whole in memory nor on disk.
// Order of writes: S3 object, then task row, then queue message. A failure at any
// step undoes the earlier ones (or, for the message, leaves it to the sweeper).
// The same route takes JSON {uploadId, newFormat} for a file already put into S3 (direct-task.ts).
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import Type from 'typebox';
import { sourceFormat } from '../../audio/formats.ts';
import type { Task } from '../../generated/prisma/client.ts';
import { deleteObjects, originalKey, uploadStream } from '../../storage/s3.ts';
import { enqueueOrLeaveToSweeper } from '../../tasks/enqueue.ts';
import { createTask, reserveTaskId } from '../../tasks/transitions.ts';
import { conversionRequest } from '../conversion-request.ts';
import { HttpError, notAudio, tooLarge } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { TaskSchema } from '../schemas/task.ts';
import { TaskFromUploadSchema, type TaskFromUpload } from '../schemas/upload.ts';
import { taskFromUpload } from '../direct-task.ts';
import { taskView } from '../task-view.ts';
import { taskWebhook } from '../webhook-url.ts';

const CreatedTaskSchema = Type.Object({
  ...TaskSchema.properties,
  webhookSecret: Type.Optional(Type.String({ description: 'with `webhookUrl` only: the secret that signs this task\'s webhook (shown once)' })),
});

/** Counts bytes on their way to S3 and fails the stream once they pass the limit. */
class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) callback(tooLarge(this.limit));
    else callback(null, chunk);
  }
}

interface StoredFile {
  key: string;
  bytes: number;
  fileName: string;
  sourceFormat: string;
}

const upload: FastifyPluginAsyncTypebox = async (app) => {
  const limit = app.config.MAX_UPLOAD_BYTES;
  const bucket = app.config.S3_BUCKET;
  // Our own ByteLimit enforces the size (it aborts the S3 upload); busboy's limit sits just above it.
  await app.register(multipart, { limits: { fileSize: limit + 1, files: 1, fields: 20, fieldSize: 4096, parts: 25 } });

  async function storeFile(userId: number, taskId: number, part: { filename: string; mimetype: string; file: NodeJS.ReadableStream }, fields: Record<string, string>): Promise<StoredFile> {
    const format = sourceFormat(part.filename);
    if (!format) throw notAudio(part.filename);
    if (fields.newFormat !== undefined) conversionRequest(fields); // fail before the upload when we can
    const key = originalKey(userId, taskId, format);
    const counter = new ByteLimit(limit);
    pipeline(part.file, counter, () => {});
    const contentType = part.mimetype.startsWith('audio/') ? part.mimetype : 'application/octet-stream';
    try {
      await uploadStream(app.s3, bucket, key, counter, contentType);
    } catch (error) {
      if (counter.bytes > limit) throw tooLarge(limit);
      throw error;
    }
    if (counter.bytes === 0) {
      await deleteObjects(app.s3, bucket, [key]);
      throw new HttpError(400, `The file "${part.filename}" is empty`);
    }
    return { key, bytes: counter.bytes, fileName: part.filename, sourceFormat: format };
  }

  app.post(
    '/api/tasks',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Upload an audio file to convert, or convert one already uploaded to S3',
        description:
          'multipart/form-data with a file field `fileName` and a field `newFormat` (either order); optional `bitrate` (kbit/s), `sampleRate` (Hz), `channels`, and `webhookUrl` (called when the task ends, signed with the `webhookSecret` of the reply). ' +
          'Or application/json `{uploadId, newFormat, …}` for a file put into S3 with the URLs of POST /api/uploads: 404 for an unknown or expired upload, 409 for one already used, 400 when its object is missing or not of the declared size.',
        consumes: ['multipart/form-data', 'application/json'],
        body: { content: { 'application/json': { schema: TaskFromUploadSchema } } },
        response: { 201: CreatedTaskSchema, 400: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const created = (task: Task, webhook?: { secret: string }) =>
        reply
          .code(201)
          .header('location', `/api/tasks/${task.id}`)
          .send({ ...taskView(task, app.config.FILE_RETENTION_DAYS), webhookSecret: webhook?.secret });
      if (/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
        const body = request.body as TaskFromUpload;
        const webhook = await taskWebhook(app.config, body.webhookUrl);
        return created(await taskFromUpload(app, request.userId, body, webhook, request.log), webhook);
      }
      if (!request.isMultipart()) {
        throw new HttpError(415, 'Send multipart/form-data with the audio in a file field "fileName" and the target in a field "newFormat", or JSON {uploadId, newFormat} after POST /api/uploads');
      }
      const userId = request.userId;
      const taskId = await reserveTaskId(app.db);
      const fields: Record<string, string> = {};
      let stored: StoredFile | undefined;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            fields[part.fieldname] = String(part.value);
          } else if (part.fieldname !== 'fileName') {
            throw new HttpError(400, `Put the file in the field "fileName", not "${part.fieldname}"`);
          } else {
            stored = await storeFile(userId, taskId, part, fields);
          }
        }
        if (!stored) throw new HttpError(400, 'No file: send the audio in the multipart file field "fileName"');
        const { targetFormat, options } = conversionRequest(fields);
        const webhook = await taskWebhook(app.config, fields.webhookUrl);
        const task = await createTask(app.db, { id: taskId, userId, fileName: stored.fileName, sourceFormat: stored.sourceFormat, targetFormat, options, inputKey: stored.key, inputBytes: stored.bytes, webhook });
        await enqueueOrLeaveToSweeper(app.db, app.sendMessage, app.config.SQS_QUEUE_URL, task, request.log);
        return created(task, webhook);
      } catch (error) {
        if (stored) {
          await deleteObjects(app.s3, bucket, [stored.key]).catch((err: Error) => request.log.error({ err, key: stored?.key }, 'could not remove the upload of a failed request'));
        }
        if ((error as { code?: string }).code === 'FST_FILES_LIMIT') throw new HttpError(400, 'Send one file per request');
        throw error;
      }
    },
  );
};

export default upload;

// POST /api/tasks with JSON {uploadId, newFormat, …}: the task of a file the client put into
// S3 itself. The object is checked (its size, object-size.ts) before the task exists: it must be there, at the
// key of that upload of that user, with the declared size. Then task and message as for a
// multipart upload.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Task } from '../generated/prisma/client.ts';
import { enqueueOrLeaveToSweeper } from '../tasks/enqueue.ts';
import { createTaskFromUpload, type TaskWebhook } from '../tasks/transitions.ts';
import { findOwnUpload } from '../uploads/records.ts';
import { conversionRequest } from './conversion-request.ts';
import { HttpError, notFound } from './errors.ts';
import type { TaskFromUpload } from './schemas/upload.ts';

const alreadyUsed = (id: string) => new HttpError(409, `Upload ${id} has already been turned into a task; ask POST /api/uploads for a new one`);

export async function taskFromUpload(
  app: FastifyInstance,
  userId: number,
  body: TaskFromUpload,
  webhook: TaskWebhook | undefined,
  log: FastifyBaseLogger,
): Promise<Task> {
  const { targetFormat, options } = conversionRequest(body);
  const upload = await findOwnUpload(app.db, body.uploadId, userId);
  if (!upload) throw notFound(`Upload ${body.uploadId}`);
  if (upload.usedAt) throw alreadyUsed(upload.id);
  const size = await app.objectSize(upload.objectKey);
  if (size === null) {
    throw new HttpError(400, `The file of upload ${upload.id} is not in storage: PUT it to the URL POST /api/uploads returned (for multipart, every part, then the complete call) and try again`);
  }
  if (size !== Number(upload.bytes)) {
    throw new HttpError(400, `The file of upload ${upload.id} has ${size} bytes, but ${upload.bytes} were declared; upload it again with POST /api/uploads`);
  }
  const task = await createTaskFromUpload(app.db, upload, {
    userId,
    fileName: upload.fileName,
    sourceFormat: upload.sourceFormat,
    targetFormat,
    options,
    inputKey: upload.objectKey,
    inputBytes: size,
    webhook,
  });
  if (!task) throw alreadyUsed(upload.id); // another request made the task meanwhile
  await enqueueOrLeaveToSweeper(app.db, app.sendMessage, app.config.SQS_QUEUE_URL, task, log);
  return task;
}

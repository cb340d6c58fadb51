// Downloads stream from S3 through the web tier, with Range support.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import contentDisposition from 'content-disposition';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import { TARGET_FORMATS, type TargetFormatName } from '../../audio/formats.ts';
import { TaskStatus, type Task } from '../../generated/prisma/client.ts';
import { getObject } from '../../storage/s3.ts';
import { findLatestByFileName, findOwnTask } from '../../tasks/queries.ts';
import { filesGone, HttpError, notFound } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { IdParams } from '../schemas/params.ts';
const FileName = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 1024 }) });
const Bytes = { type: 'string', format: 'binary' } as const;
const downloadSchema = <P extends Type.TSchema>(summary: string, params: P) => ({
  tags: ['files'],
  summary,
  params,
  response: { 200: Bytes, 206: Bytes, 404: ErrorSchema, 409: ErrorSchema, 410: ErrorSchema, 416: ErrorSchema },
});

/** `song.wav` converted to mp3 downloads as `song.mp3`. */
const convertedName = (task: Task) => `${task.fileName.replace(/\.[^.]*$/, '')}.${task.targetFormat}`;

const downloads: FastifyPluginAsyncTypebox = async (app) => {
  async function ownTask(request: FastifyRequest<{ Params: { id: number } }>) {
    const task = await findOwnTask(app.db, request.userId, request.params.id);
    if (!task) throw notFound(`Task ${request.params.id}`);
    return task;
  }

  async function sendObject(request: FastifyRequest, reply: FastifyReply, key: string, name: string, contentType: string) {
    let object;
    try {
      object = await getObject(app.s3, app.config.S3_BUCKET, key, request.headers.range);
    } catch (error) {
      const code = (error as Error).name;
      if (code === 'InvalidRange') throw new HttpError(416, `The range ${request.headers.range} is outside the file`);
      if (code === 'NoSuchKey' || code === 'NotFound') throw notFound('The file');
      throw error;
    }
    reply
      .header('content-type', contentType)
      .header('content-disposition', contentDisposition(name))
      .header('accept-ranges', 'bytes');
    if (object.ContentLength !== undefined) reply.header('content-length', object.ContentLength);
    if (object.ContentRange) reply.code(206).header('content-range', object.ContentRange);
    return reply.send(object.Body as Readable);
  }

  async function sendOriginal(request: FastifyRequest, reply: FastifyReply, task: Task) {
    if (task.expiredAt) throw filesGone(task);
    return sendObject(request, reply, task.inputKey, task.fileName, 'application/octet-stream');
  }

  async function sendConverted(request: FastifyRequest, reply: FastifyReply, task: Task) {
    if (task.expiredAt) throw filesGone(task);
    if (task.status !== TaskStatus.processed || !task.outputKey) {
      throw new HttpError(409, `Task ${task.id} has no converted file yet (status ${task.status}${task.statusReason ? `: ${task.statusReason}` : ''})`);
    }
    const contentType = TARGET_FORMATS[task.targetFormat as TargetFormatName].contentType;
    return sendObject(request, reply, task.outputKey, convertedName(task), contentType);
  }


  app.get('/api/tasks/:id/original', { schema: downloadSchema('The uploaded file', IdParams) }, async (request, reply) =>
    sendOriginal(request, reply, await ownTask(request)),
  );

  app.get('/api/tasks/:id/converted', { schema: downloadSchema('The converted file', IdParams) }, async (request, reply) =>
    sendConverted(request, reply, await ownTask(request)),
  );

  app.get(
    '/api/files/:filename',
    { schema: downloadSchema('By original file name: the latest such task, converted if done, else the original', FileName) },
    async (request, reply) => {
      const task = await findLatestByFileName(app.db, request.userId, request.params.filename);
      if (!task) throw notFound(`A file named "${request.params.filename}"`);
      return task.status === TaskStatus.processed ? sendConverted(request, reply, task) : sendOriginal(request, reply, task);
    },
  );
};

export default downloads;

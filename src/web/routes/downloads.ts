// Downloads stream from S3 through the web tier, with Range support; with ?redirect=1 the
// answer is a 302 to a presigned S3 URL instead, and S3 carries the bytes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import contentDisposition from 'content-disposition';
import type { Readable } from 'node:stream';
import Type from 'typebox';
import type { Task } from '../../generated/prisma/client.ts';
import { getObject } from '../../storage/s3.ts';
import { findLatestByFileName, findOwnTask } from '../../tasks/queries.ts';
import { HttpError, notFound } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { IdParams } from '../schemas/params.ts';
import { convertedFile, originalFile, presignedDownload, type TaskFile } from '../task-files.ts';

// PostgreSQL text cannot hold NUL: such a name cannot match any task, so it is a 400, not a failed query.
const FileName = Type.Object({ filename: Type.String({ minLength: 1, maxLength: 1024, pattern: '^[^\\u0000]+$' }) });
const RedirectQuery = Type.Object({
  redirect: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1: answer 302 to a presigned S3 URL that expires after DOWNLOAD_URL_TTL_SECONDS' })),
});
const Bytes = { type: 'string', format: 'binary' } as const;
const downloadSchema = <P extends Type.TSchema>(summary: string, params: P) => ({
  tags: ['files'],
  summary,
  params,
  response: { 200: Bytes, 206: Bytes, 302: Type.Null({ description: 'Location: the presigned S3 URL' }), 404: ErrorSchema, 409: ErrorSchema, 410: ErrorSchema, 416: ErrorSchema },
});

const downloads: FastifyPluginAsyncTypebox = async (app) => {
  async function ownTask(request: FastifyRequest<{ Params: { id: number } }>) {
    const task = await findOwnTask(app.db, request.userId, request.params.id);
    if (!task) throw notFound(`Task ${request.params.id}`);
    return task;
  }

  async function sendFile(request: FastifyRequest, reply: FastifyReply, file: TaskFile) {
    if ((request.query as { redirect?: number }).redirect === 1) {
      return reply.redirect(await presignedDownload(app.s3Urls, file, app.config.DOWNLOAD_URL_TTL_SECONDS), 302);
    }
    let object;
    try {
      object = await getObject(app.s3, app.config.S3_BUCKET, file.key, request.headers.range);
    } catch (error) {
      const code = (error as Error).name;
      if (code === 'InvalidRange') throw new HttpError(416, `The range ${request.headers.range} is outside the file`);
      if (code === 'NoSuchKey' || code === 'NotFound') throw notFound('The file');
      throw error;
    }
    reply
      .header('content-type', file.contentType)
      .header('content-disposition', contentDisposition(file.name))
      .header('accept-ranges', 'bytes');
    if (object.ContentLength !== undefined) reply.header('content-length', object.ContentLength);
    if (object.ContentRange) reply.code(206).header('content-range', object.ContentRange);
    return reply.send(object.Body as Readable);
  }

  const latest = (task: Task) => (task.status === 'processed' ? convertedFile(task) : originalFile(task));

  app.get('/api/tasks/:id/original', { schema: { ...downloadSchema('The uploaded file', IdParams), querystring: RedirectQuery } }, async (request, reply) =>
    sendFile(request, reply, originalFile(await ownTask(request))),
  );

  app.get('/api/tasks/:id/converted', { schema: { ...downloadSchema('The converted file', IdParams), querystring: RedirectQuery } }, async (request, reply) =>
    sendFile(request, reply, convertedFile(await ownTask(request))),
  );

  app.get(
    '/api/files/:filename',
    { schema: downloadSchema('By original file name: the latest such task, converted if done, else the original', FileName) },
    async (request, reply) => {
      const task = await findLatestByFileName(app.db, request.userId, request.params.filename);
      if (!task) throw notFound(`A file named "${request.params.filename}"`);
      return sendFile(request, reply, latest(task));
    },
  );
};

export default downloads;

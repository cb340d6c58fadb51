import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { enqueueTask } from '../../queue/enqueue.ts';
import { deleteObjects } from '../../storage/s3.ts';
import { conversionRequest } from '../conversion-request.ts';
import { acceptForms } from '../plugins/forms.ts';
import { findOwnTask } from '../own-task.ts';
import { ErrorSchema } from '../schemas.ts';
import { TaskSchema, taskView, taskViewSelect } from '../task-view.ts';

const Id = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
const ListQuery = Type.Object({
  max: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'how many tasks at most' }),
  order: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 0, description: '0 ascending id, 1 descending' }),
});
const ConversionBody = Type.Object(
  {
    newFormat: Type.String({ description: 'mp3, aac, ogg, wav, wma, flac, opus or m4a' }),
    bitrate: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    sampleRate: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    channels: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  },
  { additionalProperties: true },
);
const secured = { security: [{ bearer: [] }] };

const tasks: FastifyPluginAsyncTypebox = async (app) => {
  await acceptForms(app);
  app.addHook('preHandler', app.authenticate);


  app.get(
    '/api/tasks',
    { schema: { tags: ['tasks'], summary: "The caller's tasks", ...secured, querystring: ListQuery, response: { 200: Type.Array(TaskSchema), 400: ErrorSchema, 401: ErrorSchema } } },
    async (request) => {
      const rows = await app.db.task.findMany({
        where: { userId: request.userId },
        select: taskViewSelect,
        orderBy: { id: request.query.order === 1 ? 'desc' : 'asc' },
        take: request.query.max,
      });
      return rows.map(taskView);
    },
  );

  app.get(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'One task', ...secured, params: Id, response: { 200: TaskSchema, 401: ErrorSchema, 404: ErrorSchema } } },
    async (request) => taskView(await findOwnTask(app.db, request.userId, request.params.id)),
  );

  app.put(
    '/api/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Convert again to another format or with other options',
        description: 'Deletes the previous result and queues the task again.',
        ...secured,
        params: Id,
        body: ConversionBody,
        response: { 200: TaskSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const { targetFormat, options } = conversionRequest(request.body);
      const old = await findOwnTask(app.db, request.userId, request.params.id);
      const task = await app.db.task.update({
        where: { id: old.id },
        data: {
          targetFormat,
          options: { ...options },
          version: { increment: 1 },
          status: 'uploaded',
          statusReason: null,
          progress: 0,
          outputKey: null,
          outputBytes: null,
          durationSeconds: null,
          enqueuedAt: null,
          notifiedAt: null,
          startedAt: null,
          finishedAt: null,
        },
      });
      await deleteObjects(app.s3, app.config.S3_BUCKET, [old.outputKey]).catch((err: Error) =>
        request.log.error({ err, key: old.outputKey }, 'could not delete a previous result'),
      );
      try {
        await enqueueTask(app.db, app.sqs, app.config.SQS_QUEUE_URL, task);
      } catch (error) {
        request.log.warn({ err: error, taskId: task.id }, 'queue unavailable; the sweeper will send this task');
      }
      return taskView(task);
    },
  );

  app.delete(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'Delete a task and both its files', ...secured, params: Id, response: { 204: Type.Null(), 401: ErrorSchema, 404: ErrorSchema } } },
    async (request, reply) => {
      const task = await findOwnTask(app.db, request.userId, request.params.id);
      // The row goes first: a worker holding this task then drops its result.
      await app.db.task.delete({ where: { id: task.id } });
      await deleteObjects(app.s3, app.config.S3_BUCKET, [task.inputKey, task.outputKey]);
      return reply.code(204).send(null);
    },
  );
};

export default tasks;

// The caller's tasks: list, read, convert again (PUT), delete.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { deleteObjects } from '../../storage/s3.ts';
import { enqueueOrLeaveToSweeper } from '../../tasks/enqueue.ts';
import { findOwnTask, listPageJson, listVersion } from '../../tasks/queries.ts';
import { deleteTask, resetTask } from '../../tasks/transitions.ts';
import { conversionRequest } from '../conversion-request.ts';
import { filesGone, notFound } from '../errors.ts';
import { acceptForms } from '../forms.ts';
import { ConversionBody } from '../schemas/conversion.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { IdParams } from '../schemas/params.ts';
import { TaskSchema } from '../schemas/task.ts';
import { bodyEtag, listEtag, notModified, tagged } from '../etag.ts';
import { createListCache } from '../list-cache.ts';
import { taskUrls } from '../task-files.ts';
import { taskView } from '../task-view.ts';

const ListQuery = Type.Object({
  max: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'how many tasks at most' }),
  order: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 0, description: '0 ascending id, 1 descending' }),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647, description: 'the cursor: the id the previous page ended with (see the Link header)' })),
});
const listDescription =
  'A full page carries `Link: <…&after=ID>; rel="next"`, the next page. Answers carry an ETag: send it back as If-None-Match to get 304 while nothing changed.';

const tasks: FastifyPluginAsyncTypebox = async (app) => {
  await acceptForms(app);
  const listCache = createListCache();

  app.get(
    '/api/tasks',
    { schema: { tags: ['tasks'], summary: "The caller's tasks", description: listDescription, querystring: ListQuery, response: { 200: Type.Array(TaskSchema), 304: Type.Null(), 400: ErrorSchema } } },
    async (request, reply) => {
      const { max, order, after } = request.query;
      const page = { max, descending: order === 1, after };
      const version = (await listVersion(app.db, request.userId)) ?? 0n;
      let etag = listEtag(version);
      if (notModified(request, etag)) return tagged(reply, etag).code(304).send();
      let cached = listCache.get(request.userId, version, page);
      if (!cached) {
        const built = await listPageJson(app.db, request.userId, page, app.config.FILE_RETENTION_DAYS);
        cached = { body: Buffer.from(built.json), next: built.next };
        // Keyed by the version it was built at, which a change in between may have moved on.
        listCache.set(request.userId, built.version, page, cached);
        etag = listEtag(built.version);
      }
      if (cached.next !== null) reply.header('link', `</api/tasks?max=${max}&order=${order}&after=${cached.next}>; rel="next"`);
      // Already JSON (PostgreSQL built it): sent as it is, not serialized again.
      return tagged(reply, etag).type('application/json; charset=utf-8').send(cached.body);
    },
  );

  app.get(
    '/api/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One task',
        description:
          'With `urls`: presigned S3 URLs of its files that expire after DOWNLOAD_URL_TTL_SECONDS. With an ETag of the task\'s state: send it back as If-None-Match to get 304 while the task is unchanged.',
        params: IdParams,
        response: { 200: TaskSchema, 304: Type.Null(), 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const task = await findOwnTask(app.db, request.userId, request.params.id);
      if (!task) throw notFound(`Task ${request.params.id}`);
      const view = taskView(task, app.config.FILE_RETENTION_DAYS);
      // The state, not the URLs: they are signed afresh on every answer.
      const etag = bodyEtag(JSON.stringify(view));
      if (notModified(request, etag)) return tagged(reply, etag).code(304).send();
      const urls = task.expiredAt ? undefined : await taskUrls(app.s3Urls, task, app.config.DOWNLOAD_URL_TTL_SECONDS);
      // The presigned URLs expire: a browser that revalidated a stored copy would get them stale.
      // Clients that send If-None-Match themselves still get 304 while the task is unchanged.
      return tagged(reply, etag).header('cache-control', 'no-store').send({ ...view, urls });
    },
  );

  app.put(
    '/api/tasks/:id',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Convert again to another format or with other options',
        description: 'Deletes the previous result and queues the task again.',
        params: IdParams,
        body: ConversionBody,
        response: { 200: TaskSchema, 400: ErrorSchema, 404: ErrorSchema, 410: ErrorSchema },
      },
    },
    async (request) => {
      const current = await findOwnTask(app.db, request.userId, request.params.id);
      if (current?.expiredAt) throw filesGone(current);
      const reset = await resetTask(app.db, request.params.id, request.userId, conversionRequest(request.body));
      if (!reset) throw notFound(`Task ${request.params.id}`);
      await deleteObjects(app.s3, app.config.S3_BUCKET, [reset.previousOutputKey]).catch((err: Error) =>
        request.log.error({ err, key: reset.previousOutputKey }, 'could not delete a previous result'),
      );
      await enqueueOrLeaveToSweeper(app.db, app.sendMessage, app.config.SQS_QUEUE_URL, reset.task, request.log);
      return taskView(reset.task, app.config.FILE_RETENTION_DAYS);
    },
  );

  app.delete(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], summary: 'Delete a task and both its files', params: IdParams, response: { 204: Type.Null(), 404: ErrorSchema } } },
    async (request, reply) => {
      const task = await deleteTask(app.db, request.params.id, request.userId);
      if (!task) throw notFound(`Task ${request.params.id}`);
      await deleteObjects(app.s3, app.config.S3_BUCKET, [task.inputKey, task.outputKey]);
      return reply.code(204).send(null);
    },
  );
};

export default tasks;

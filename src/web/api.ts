// Everything under /api that needs a user, as one encapsulated plugin. It authenticates in
// onRequest, before any body is read or parsed, so a route added here cannot forget it and
// an anonymous upload is refused unread (the error handler drains it for nginx's sake).
import type { FastifyPluginAsync } from 'fastify';
import downloads from './routes/downloads.ts';
import keys from './routes/keys.ts';
import taskEvents from './routes/task-events.ts';
import tasks from './routes/tasks.ts';
import upload from './routes/upload.ts';
import uploads from './routes/uploads.ts';
import webhooks from './routes/webhooks.ts';
import { ErrorSchema } from './schemas/error.ts';

const api: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', app.authenticate);
  // The OpenAPI document says so for every route here.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ bearer: [] }], response: { 401: ErrorSchema, ...(route.schema?.response as object) } };
  });
  await app.register(uploads);
  await app.register(upload);
  await app.register(tasks);
  await app.register(taskEvents);
  await app.register(downloads);
  await app.register(keys);
  await app.register(webhooks);
};

export default api;

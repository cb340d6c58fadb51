// GET /api/tasks/events: the caller's task changes as Server-Sent Events, from every web
// process (PostgreSQL LISTEN/NOTIFY, plugins/task-events.ts), so that clients need not poll.
import type { FastifyPluginAsync } from 'fastify';
import type { ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;
const DESCRIPTION = [
  'text/event-stream. `event: task` carries a task (the JSON of GET /api/tasks/:id) each time it changes, uploads included;',
  '`event: deleted` carries `{id}`; `event: resync` says changes may have been missed: load the list again.',
  'The stream ends when the token expires (`event: expired`); reconnect with a new one.',
].join(' ');

const taskEvents: FastifyPluginAsync = async (app) => {
  const open = new Set<ServerResponse>();
  // Streams never end by themselves: end them, or closing the server would wait for them.
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get('/api/tasks/events', { schema: { tags: ['tasks'], summary: "Live changes to the caller's tasks", description: DESCRIPTION, produces: ['text/event-stream'] } }, (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no', // nginx passes each event on at once
      // Not kept alive once the stream ends: a server closing would otherwise wait out the
      // keep-alive timeout of a connection that went idle just as it was ended.
      connection: 'close',
    });
    raw.write('retry: 3000\n\n');
    open.add(raw);
    const unsubscribe = app.taskEvents.subscribe(request.userId, (frame) => raw.write(frame));
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
    // The token was checked once, when the stream opened: it must not outlive the token.
    const expiresAt = ((request.user as { exp?: number }).exp ?? Infinity) * 1000;
    const expiry = setTimeout(() => raw.end('event: expired\ndata: {}\n\n'), Math.min(expiresAt - Date.now(), 2 ** 31 - 1));
    raw.on('close', () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unsubscribe();
      open.delete(raw);
    });
  });
};

export default taskEvents;

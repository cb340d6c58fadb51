// `app.taskEvents`: live changes to tasks, for Server-Sent Events. PostgreSQL announces every
// change on the channel `task_changes` (a trigger, migration task_changes), whichever process
// made it; each web process LISTENs on one connection of its own and hands each change, as a
// ready SSE frame, to the streams of the task's owner that this process holds.
import fp from 'fastify-plugin';
import pg from 'pg';
import { PasswordFile } from '../../db/password-file.ts';
import { findOwnTask } from '../../tasks/queries.ts';
import { taskView } from '../task-view.ts';

type Send = (frame: string) => void;

declare module 'fastify' {
  interface FastifyInstance {
    taskEvents: {
      /** Calls send with each change to the user's tasks; returns the unsubscribe function. */
      subscribe(userId: number, send: Send): () => void;
    };
  }
}

const RECONNECT_MS = 1000;
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export default fp(
  async (app) => {
    const streams = new Map<number, Set<Send>>();
    const sendAll = (sends: Iterable<Send>, text: string) => {
      for (const send of sends) send(text);
    };
    // One change at a time, so that a stream never gets an older state of a task after a newer one.
    let delivering: Promise<void> = Promise.resolve();
    async function deliver(payload: string) {
      const change = JSON.parse(payload) as { userId: number; taskId: number; deleted: boolean };
      const sends = streams.get(change.userId);
      if (!sends?.size) return;
      if (change.deleted) return sendAll(sends, frame('deleted', { id: change.taskId }));
      const task = await findOwnTask(app.db, change.userId, change.taskId);
      if (task) sendAll(sends, frame('task', taskView(task, app.config.FILE_RETENTION_DAYS)));
    }

    let client: pg.Client | undefined;
    let closing = false;
    let retry: NodeJS.Timeout | undefined;
    // On AWS the password is in a file that rotation rewrites: read it at each (re)connect.
    const passwordFile = app.config.DATABASE_PASSWORD_FILE;
    function reconnectLater(err: Error) {
      if (closing) return;
      app.log.warn({ err }, 'task events: the LISTEN connection failed; reconnecting');
      clearTimeout(retry);
      retry = setTimeout(() => {
        listen()
          // Changes made while we were away were missed: every stream reloads.
          .then(() => sendAll([...streams.values()].flatMap((s) => [...s]), frame('resync', {})))
          .catch(reconnectLater);
      }, RECONNECT_MS);
    }
    async function listen(): Promise<void> {
      const password = passwordFile ? await new PasswordFile(passwordFile).read() : undefined;
      const connection = new pg.Client({ connectionString: app.config.DATABASE_URL, password });
      connection.on('notification', ({ payload }) => {
        delivering = delivering.then(() => deliver(payload!)).catch((err: Error) => app.log.warn({ err }, 'a task change was not delivered'));
      });
      connection.on('error', (err) => {
        connection.end().catch(() => {});
        if (client === connection) client = undefined;
        reconnectLater(err);
      });
      try {
        await connection.connect();
        await connection.query('LISTEN task_changes');
      } catch (error) {
        connection.end().catch(() => {});
        throw error;
      }
      // Closed while connecting: nothing may outlive the app.
      if (closing) return void (await connection.end());
      client = connection;
    }
    await listen();

    app.decorate('taskEvents', {
      subscribe(userId: number, send: Send) {
        const sends = streams.get(userId) ?? new Set<Send>();
        streams.set(userId, sends.add(send));
        return () => {
          sends.delete(send);
          if (sends.size === 0) streams.delete(userId);
        };
      },
    });
    app.addHook('onClose', async () => {
      closing = true;
      clearTimeout(retry);
      await client?.end();
    });
  },
  { name: 'task-events', dependencies: ['config', 'db'] },
);

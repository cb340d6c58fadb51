import fp from 'fastify-plugin';
import { createDatabase, type Database } from '../../db/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export default fp(
  async (app) => {
    const db = createDatabase(app.config.DATABASE_URL);
    await db.$connect();
    app.decorate('db', db);
    app.addHook('onClose', () => db.$disconnect());
  },
  { name: 'db', dependencies: ['config'] },
);

// Form bodies as existing clients send them: multipart (fields only), urlencoded or JSON,
// all turned into one plain object that the route's TypeBox schema validates.
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';

/** Registers the form parsers in the calling plugin's scope only (the upload route streams instead). */
export async function acceptForms(app: FastifyInstance): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { files: 0, fields: 20, fieldSize: 4096 } });
}

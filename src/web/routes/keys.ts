// API keys: create (the key is shown once), list, revoke.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { createApiKey, listApiKeys, revokeApiKey } from '../../keys/api-keys.ts';
import { HttpError, notFound } from '../errors.ts';
import { acceptForms } from '../forms.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { IdParams } from '../schemas/params.ts';

const DateTime = Type.String({ format: 'date-time' });
const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  createdAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  expiresAt: Type.Union([DateTime, Type.Null()]),
});
const CreatedKeySchema = Type.Object({ ...ApiKeySchema.properties, key: Type.String({ description: 'the key itself (cct_…): shown only in this reply' }) });
const CreateKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'what the key is for, e.g. "backup script"' }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the key stops working (ISO 8601); never when absent' })),
});

interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

const keyView = (row: KeyRow) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
});

const keys: FastifyPluginAsyncTypebox = async (app) => {
  await acceptForms(app);

  app.post(
    '/api/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        description: 'Send it as `Authorization: Bearer cct_…` wherever a login token works. The key is in this reply only; it is stored as a hash.',
        body: CreateKeyBody,
        response: { 201: CreatedKeySchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : null;
      if (expiresAt && expiresAt <= new Date()) throw new HttpError(400, 'expiresAt is in the past; give a future date, or none for a key that does not expire');
      const { key, row } = await createApiKey(app.db, request.userId, request.body.name, expiresAt, app.config.API_KEYS_PER_USER);
      return reply.code(201).send({ ...keyView(row), key });
    },
  );

  app.get('/api/keys', { schema: { tags: ['keys'], summary: "The caller's API keys (never the keys themselves)", response: { 200: Type.Array(ApiKeySchema) } } }, async (request) =>
    (await listApiKeys(app.db, request.userId)).map(keyView),
  );

  app.delete(
    '/api/keys/:id',
    { schema: { tags: ['keys'], summary: 'Revoke an API key at once', params: IdParams, response: { 204: Type.Null(), 404: ErrorSchema } } },
    async (request, reply) => {
      if (!(await revokeApiKey(app.db, request.userId, request.params.id))) throw notFound(`API key ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );
};

export default keys;

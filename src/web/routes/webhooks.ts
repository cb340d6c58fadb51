// Webhook endpoints (register, list, delete) and a task's delivery log.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { findOwnTask } from '../../tasks/queries.ts';
import { listTaskDeliveries } from '../../webhooks/deliveries.ts';
import { createEndpoint, deleteEndpoint, listEndpoints, TASK_EVENTS, type TaskEvent } from '../../webhooks/endpoints.ts';
import { notFound } from '../errors.ts';
import { acceptForms } from '../forms.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { IdParams } from '../schemas/params.ts';
import { checkedWebhookUrl } from '../webhook-url.ts';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const EventName = Type.Unsafe<TaskEvent>({ type: 'string', enum: [...TASK_EVENTS] });

const EndpointSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(EventName),
  createdAt: DateTime,
  disabledAt: Type.Union([DateTime, Type.Null()], { description: 'set when deliveries kept failing for about a day; register the endpoint again to resume' }),
});
const CreatedEndpointSchema = Type.Object({
  ...EndpointSchema.properties,
  secret: Type.String({ description: 'Standard Webhooks signing secret (whsec_…): shown only in this reply' }),
});
const CreateEndpointBody = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'an http:// or https:// URL on a public address' }),
  events: Type.Optional(Type.Union([Type.Array(EventName, { minItems: 1, uniqueItems: true }), EventName], { description: 'task.processed, task.failed (default both)' })),
});
const DeliverySchema = Type.Object({
  id: Type.Integer(),
  webhookId: Type.String({ description: 'the webhook-id header: the same on every attempt' }),
  event: EventName,
  endpoint: Type.Object({ id: Type.Integer(), url: Type.String() }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: NullableDateTime,
  nextAttemptAt: NullableDateTime,
  createdAt: DateTime,
  deliveredAt: NullableDateTime,
});

const iso = (date: Date | null) => date?.toISOString() ?? null;
const endpointView = <T extends { createdAt: Date; disabledAt: Date | null; events: string[] }>(row: T) => ({
  ...row,
  events: row.events as TaskEvent[],
  createdAt: row.createdAt.toISOString(),
  disabledAt: iso(row.disabledAt),
});

const VERIFYING = `Each event is POSTed as JSON \`{type, timestamp, data: <task>}\`, signed per Standard Webhooks
(headers \`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`: HMAC-SHA256) with the \`secret\` of this reply.
Answer 2xx within WEBHOOK_TIMEOUT_SECONDS; failures are retried with exponential backoff for about a day,
with the same \`webhook-id\` (drop duplicates by it). Verify the raw body before parsing it:

Node (\`npm install standardwebhooks\`):
\`\`\`js
import { Webhook } from 'standardwebhooks';
const event = new Webhook(secret).verify(rawBody, request.headers); // throws if forged or stale
\`\`\`

Python (\`pip install standardwebhooks\`):
\`\`\`python
from standardwebhooks.webhooks import Webhook
event = Webhook(secret).verify(raw_body, dict(request.headers))  # raises if forged or stale
\`\`\`

The README shows a whole receiver, and the check in plain Python (hmac).`;

const webhooks: FastifyPluginAsyncTypebox = async (app) => {
  await acceptForms(app);

  app.post(
    '/api/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint',
        description: VERIFYING,
        body: CreateEndpointBody,
        response: { 201: CreatedEndpointSchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const url = await checkedWebhookUrl(app.config, request.body.url);
      const events = request.body.events === undefined ? [...TASK_EVENTS] : [request.body.events].flat();
      const endpoint = await createEndpoint(app.db, request.userId, url, events, app.config.WEBHOOKS_PER_USER);
      return reply.code(201).send(endpointView(endpoint));
    },
  );

  app.get('/api/webhooks', { schema: { tags: ['webhooks'], summary: "The caller's webhook endpoints (without secrets)", response: { 200: Type.Array(EndpointSchema) } } }, async (request) =>
    (await listEndpoints(app.db, request.userId)).map(endpointView),
  );

  app.delete(
    '/api/webhooks/:id',
    { schema: { tags: ['webhooks'], summary: 'Delete a webhook endpoint and its pending deliveries', params: IdParams, response: { 204: Type.Null(), 404: ErrorSchema } } },
    async (request, reply) => {
      if (!(await deleteEndpoint(app.db, request.userId, request.params.id))) throw notFound(`Webhook ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/tasks/:id/deliveries',
    { schema: { tags: ['webhooks'], summary: "The task's webhook deliveries and their last attempt", params: IdParams, response: { 200: Type.Array(DeliverySchema), 404: ErrorSchema } } },
    async (request) => {
      if (!(await findOwnTask(app.db, request.userId, request.params.id))) throw notFound(`Task ${request.params.id}`);
      return (await listTaskDeliveries(app.db, request.params.id)).map(({ messageId, event, status, lastAttemptAt, nextAttemptAt, createdAt, deliveredAt, ...rest }) => ({
        ...rest,
        webhookId: messageId,
        event: event as TaskEvent,
        status,
        lastAttemptAt: iso(lastAttemptAt),
        nextAttemptAt: status === 'pending' ? nextAttemptAt.toISOString() : null,
        createdAt: createdAt.toISOString(),
        deliveredAt: iso(deliveredAt),
      }));
    },
  );
};

export default webhooks;

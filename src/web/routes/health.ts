import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { setTimeout as sleep } from 'node:timers/promises';
import Type from 'typebox';

/** A probe that has not answered by then counts as down: a load balancer must not wait on a frozen dependency. */
const CHECK_TIMEOUT_MS = 3000;

const Checks = Type.Object({ database: Type.String(), storage: Type.String(), queue: Type.String() });

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Database, S3 and SQS are reachable',
        response: { 200: Type.Object({ status: Type.Literal('ready'), checks: Checks }), 503: Type.Object({ status: Type.Literal('unavailable'), checks: Checks }) },
      },
    },
    async (_request, reply) => {
      const abortSignal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
      const timeout = sleep(CHECK_TIMEOUT_MS, 'unreachable: no answer within 3 s', { ref: false });
      const check = (probe: Promise<unknown>) =>
        Promise.race([
          probe.then(
            () => 'ok',
            (error: Error) => `unreachable: ${error.name}`,
          ),
          timeout,
        ]);
      const [database, storage, queue] = await Promise.all([
        check(app.db.$queryRaw`SELECT 1`),
        check(app.s3.send(new HeadBucketCommand({ Bucket: app.config.S3_BUCKET }), { abortSignal })),
        check(app.sqs.send(new GetQueueAttributesCommand({ QueueUrl: app.config.SQS_QUEUE_URL, AttributeNames: ['QueueArn'] }), { abortSignal })),
      ]);
      const checks = { database, storage, queue };
      const ready = Object.values(checks).every((c) => c === 'ok');
      return ready ? { status: 'ready' as const, checks } : reply.code(503).send({ status: 'unavailable' as const, checks });
    },
  );
};

export default health;

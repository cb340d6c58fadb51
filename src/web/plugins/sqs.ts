import type { SQSClient } from '@aws-sdk/client-sqs';
import fp from 'fastify-plugin';
import { createSqs } from '../../queue/sqs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sqs: SQSClient;
  }
}

export default fp(
  async (app) => {
    const sqs = createSqs(app.config);
    app.decorate('sqs', sqs);
    app.addHook('onClose', () => sqs.destroy());
  },
  { name: 'sqs', dependencies: ['config'] },
);

import type { SQSClient } from '@aws-sdk/client-sqs';
import fp from 'fastify-plugin';
import { createMessageSender, type SendMessage } from '../../queue/send-message.ts';
import { createSqs } from '../../queue/sqs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    sqs: SQSClient;
    /** Sends a task's message (src/queue/send-message.ts). */
    sendMessage: SendMessage;
  }
}

export default fp(
  async (app) => {
    const sqs = createSqs(app.config);
    app.decorate('sqs', sqs);
    app.decorate('sendMessage', createMessageSender(app.config, sqs));
    app.addHook('onClose', () => sqs.destroy());
  },
  { name: 'sqs', dependencies: ['config'] },
);

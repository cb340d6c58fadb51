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
    const sendMessage = createMessageSender(app.config, sqs);
    app.decorate('sendMessage', sendMessage);
    app.addHook('onClose', async () => {
      sqs.destroy();
      await sendMessage.close();
    });
  },
  { name: 'sqs', dependencies: ['config'] },
);

import type { S3Client } from '@aws-sdk/client-s3';
import fp from 'fastify-plugin';
import { createS3 } from '../../storage/s3.ts';

declare module 'fastify' {
  interface FastifyInstance {
    s3: S3Client;
  }
}

export default fp(
  async (app) => {
    const s3 = createS3(app.config);
    app.decorate('s3', s3);
    app.addHook('onClose', () => s3.destroy());
  },
  { name: 's3', dependencies: ['config'] },
);

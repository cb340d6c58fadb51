import type { S3Client } from '@aws-sdk/client-s3';
import fp from 'fastify-plugin';
import { createObjectSize, type ObjectSize } from '../../storage/object-size.ts';
import { createUrlSigner, type UrlSigner } from '../../storage/presigned-urls.ts';
import { createS3 } from '../../storage/s3.ts';

declare module 'fastify' {
  interface FastifyInstance {
    s3: S3Client;
    /** Presigned URLs at the address clients reach S3 at (S3_PUBLIC_ENDPOINT). */
    s3Urls: UrlSigner;
    /** An object's size in bytes, null when there is none (src/storage/object-size.ts). */
    objectSize: ObjectSize;
  }
}

export default fp(
  async (app) => {
    const s3 = createS3(app.config);
    app.decorate('s3', s3);
    app.decorate('s3Urls', createUrlSigner(app.config, s3));
    const objectSize = createObjectSize(createUrlSigner(app.config, s3, { internal: true }));
    app.decorate('objectSize', objectSize);
    app.addHook('onClose', async () => {
      s3.destroy();
      await objectSize.close();
    });
  },
  { name: 's3', dependencies: ['config'] },
);

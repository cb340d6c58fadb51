// The direct upload's size check against a storage that fails: an error the API answers 503 for.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { createObjectSize } from '../../src/storage/object-size.ts';
import { createUrlSigner } from '../../src/storage/presigned-urls.ts';
import { createS3 } from '../../src/storage/s3.ts';
import { testConfig } from '../helpers/env.ts';

t.test('a storage error is thrown as a failing dependency, not read as a size', async (t) => {
  const server = createServer((_request, response) => response.writeHead(503).end('<Error><Code>SlowDown</Code></Error>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const config = { ...testConfig(), AWS_ENDPOINT_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  const s3 = createS3(config);
  const objectSize = createObjectSize(createUrlSigner(config, s3, { internal: true }));
  t.teardown(async () => (s3.destroy(), await objectSize.close()));
  await t.rejects(objectSize('users/1/uploads/x.wav'), { name: 'S3SizeError', $metadata: { httpStatusCode: 503 } });
});

import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import t from 'tap';
import { createResources, MAX_RECEIVE_COUNT, startEmulators } from '../../src/dev/services.ts';

t.test('the emulators start on loopback with bucket, queue, DLQ and SES store reachable', async (t) => {
  const emulators = await startEmulators(0, 0);
  t.teardown(emulators.stop);
  t.match(emulators.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  const resources = await createResources(emulators.endpoint, 'us-east-1', 'boot');
  t.same(await createResources(emulators.endpoint, 'us-east-1', 'boot'), resources, 'creating again is harmless');

  const client = { region: 'us-east-1', endpoint: emulators.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const s3 = new S3Client({ ...client, forcePathStyle: true });
  const sqs = new SQSClient(client);
  t.teardown(() => (s3.destroy(), sqs.destroy()));
  await s3.send(new HeadBucketCommand({ Bucket: resources.S3_BUCKET }));
  const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.SQS_QUEUE_URL, AttributeNames: ['All'] }));
  const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: resources.SQS_DLQ_URL, AttributeNames: ['QueueArn'] }));
  t.same(JSON.parse(queue.Attributes!.RedrivePolicy!), { deadLetterTargetArn: dlq.Attributes!.QueueArn, maxReceiveCount: MAX_RECEIVE_COUNT });

  const store = await fetch(`${emulators.sesEndpoint}/store`);
  t.equal(store.status, 200);
  t.match(await store.json(), { emails: [] });
});

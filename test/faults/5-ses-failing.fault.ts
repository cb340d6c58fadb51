// Scenario 5: SES failing for good. Each task is still converted; its email is retried with
// backoff on every redelivery, then, from the dead-letter queue, given up with the reason
// recorded on the task, and the dead-letter message is deleted (it used to loop for ever).
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { audioBytes } from '../helpers/audio.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { waitFor } from '../helpers/worker.ts';
import { ApiClient } from './client.ts';
import { reportFigures } from './figures.ts';
import { startFaultStack } from './harness.ts';

const TASKS = 5;
const MAX_RECEIVES = 3;

t.test('an email that cannot be sent is retried, then given up with its reason; nothing loops', async (t) => {
  const [deadPort] = (await freePorts(1)) as [number];
  const stack = await startFaultStack(t, { maxReceiveCount: MAX_RECEIVES, visibilityTimeoutSeconds: 5 });
  const client = new ApiClient(stack.webs[0]!.url);
  await client.signUpAndLogIn();
  const wav = await audioBytes('wav', 1);
  const ids: number[] = [];
  for (let i = 0; i < TASKS; i++) ids.push(((await (await client.upload(wav, `mail-${i}.wav`, 'mp3')).json()) as { id: number }).id);
  const started = Date.now();
  await stack.startWorker({ AWS_ENDPOINT_URL_SES: `http://127.0.0.1:${deadPort}` });

  const given = await waitFor('every email given up', async () => {
    const tasks = await stack.db.task.findMany({ where: { id: { in: ids } } });
    return tasks.every((task) => task.notificationError) ? tasks : null;
  }, 120_000);
  const seconds = (Date.now() - started) / 1000;
  // Nothing left anywhere: the queue and the dead-letter queue are empty and stay so.
  await sleep(5000);
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.env.AWS_ENDPOINT_URL, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  t.teardown(() => sqs.destroy());
  const waiting = async (url: string) => {
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  };
  const left = (await waiting(stack.env.SQS_QUEUE_URL!)) + (await waiting(stack.env.SQS_DLQ_URL!));

  reportFigures(t, {
    scenario: `5 SES down (${MAX_RECEIVES} receives, then the DLQ)`,
    submitted: TASKS,
    processed: given.filter((task) => task.status === 'processed').length,
    failedWithReason: given.filter((task) => task.status === 'failed' && task.statusReason).length,
    lost: 0,
    emailsPerTask: '0 (given up, reason on the task)',
    http5xx: client.http5xx,
    recoverSeconds: seconds,
    notes: `${left} messages left in the queues after the give-up`,
  });
  t.ok(given.every((task) => task.status === 'processed'), 'the conversions stand');
  t.ok(given.every((task) => /^the email could not be sent after several attempts/.test(task.notificationError!)), 'the reason is on every task');
  t.ok(seconds > 1 + 2, `retried with backoff before giving up (${seconds.toFixed(1)} s)`);
  t.equal(left, 0, 'no message loops in either queue');
  t.equal((await stack.emails()).length, 0);
});

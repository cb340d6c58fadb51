// The queue loop on its own, against a fake SQS client that records every call.
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t from 'tap';
import { startConsumer, type ConsumerOptions } from '../../src/worker/consumer.ts';
import { waitFor } from '../helpers/worker.ts';

type Call = { command: string; input: Record<string, unknown> };

/** Hands out queued messages to ReceiveMessage and records every command. */
function fakeSqs(messages: Message[], { failReceives = 0 } = {}) {
  const calls: Call[] = [];
  let failuresLeft = failReceives;
  const sqs = {
    calls,
    async send(command: { input: object }, options?: { abortSignal?: AbortSignal }) {
      const name = command.constructor.name;
      calls.push({ command: name, input: command.input as Record<string, unknown> });
      if (command instanceof GetQueueAttributesCommand) return { Attributes: { VisibilityTimeout: '30' } };
      if (command instanceof ReceiveMessageCommand) {
        if (failuresLeft-- > 0) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        const max = command.input.MaxNumberOfMessages ?? 1;
        if (messages.length > 0) return { Messages: messages.splice(0, max) };
        // An empty long poll: wait until stopped (the SDK rejects on abort).
        await sleep(50, undefined, { signal: options?.abortSignal }).catch(() => {
          throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        });
        return { Messages: [] };
      }
      if (command instanceof DeleteMessageCommand || command instanceof ChangeMessageVisibilityCommand) return {};
      throw new Error(`unexpected command ${name}`);
    },
  };
  return sqs;
}

const message = (taskId: number, receives = 1): Message => ({
  MessageId: `m${taskId}`,
  ReceiptHandle: `r${taskId}`,
  Body: JSON.stringify({ taskId, version: 1 }),
  Attributes: { ApproximateReceiveCount: String(receives) },
});

function consumer(sqs: ReturnType<typeof fakeSqs>, handle: ConsumerOptions['handle'], extra: Partial<ConsumerOptions> = {}) {
  let receiveErrors = 0;
  const running = startConsumer({
    sqs: sqs as unknown as ConsumerOptions['sqs'],
    log: pino({ level: 'silent' }),
    metrics: { receiveErrors: { inc: () => void (receiveErrors += 1) } },
    queueUrl: 'http://queue',
    concurrency: 2,
    waitTimeSeconds: 0,
    receiveErrorPauseMs: 10,
    handle,
    ...extra,
  });
  return Object.assign(running, { receiveErrors: () => receiveErrors });
}

const callsOf = (sqs: ReturnType<typeof fakeSqs>, command: string) => sqs.calls.filter((c) => c.command === command).map((c) => c.input);

t.test('a handled message is deleted; a body that is not a task message is dropped unhandled', async (t) => {
  const sqs = fakeSqs([message(1), { MessageId: 'bad', ReceiptHandle: 'rbad', Body: 'not json' }]);
  const handled: number[] = [];
  const c = consumer(sqs, async (m) => void handled.push(m.taskId));
  await waitFor('both deleted', async () => callsOf(sqs, 'DeleteMessageCommand').length === 2, 5000);
  await c.stop(1000);
  t.same(handled, [1]);
  t.same(callsOf(sqs, 'DeleteMessageCommand').map((i) => i.ReceiptHandle).sort(), ['r1', 'rbad']);
});

t.test('a failure leaves the message with a delay that doubles per receive', async (t) => {
  const sqs = fakeSqs([message(1, 1), message(2, 3)]);
  const c = consumer(sqs, async () => {
    throw new Error('S3 down');
  }, { retryDelaySeconds: 10 });
  await waitFor('two delays', async () => callsOf(sqs, 'ChangeMessageVisibilityCommand').length === 2, 5000);
  await c.stop(1000);
  t.same(callsOf(sqs, 'DeleteMessageCommand'), [], 'nothing deleted');
  const delays = Object.fromEntries(callsOf(sqs, 'ChangeMessageVisibilityCommand').map((i) => [i.ReceiptHandle, i.VisibilityTimeout]));
  t.same(delays, { r1: 10, r2: 40 });
});

t.test('never more jobs at once than the concurrency', async (t) => {
  const sqs = fakeSqs([1, 2, 3, 4, 5, 6].map((id) => message(id)));
  let running = 0;
  let peak = 0;
  const c = consumer(sqs, async () => {
    running += 1;
    peak = Math.max(peak, running);
    await sleep(30);
    running -= 1;
  });
  await waitFor('all six deleted', async () => callsOf(sqs, 'DeleteMessageCommand').length === 6, 5000);
  await c.stop(1000);
  t.equal(peak, 2);
  t.ok(callsOf(sqs, 'ReceiveMessageCommand').every((i) => (i.MaxNumberOfMessages as number) <= 2), 'asks only for free slots');
});

t.test('stop lets a job that ends within the deadline finish and be deleted', async (t) => {
  const sqs = fakeSqs([message(1)]);
  let started = false;
  const c = consumer(sqs, async () => {
    started = true;
    await sleep(100);
  });
  await waitFor('the job to start', async () => started, 5000);
  await c.stop(5000);
  t.same(callsOf(sqs, 'DeleteMessageCommand').map((i) => i.ReceiptHandle), ['r1']);
  t.same(callsOf(sqs, 'ChangeMessageVisibilityCommand'), [], 'nothing handed back');
});

t.test('past the deadline, stop aborts the job and hands its message back at once', async (t) => {
  const sqs = fakeSqs([message(1)]);
  let signal: AbortSignal | undefined;
  const c = consumer(sqs, (_m, s) => {
    signal = s;
    return new Promise((_resolve, reject) => s.addEventListener('abort', () => reject(s.reason)));
  });
  await waitFor('the job to start', async () => signal !== undefined, 5000);
  const before = Date.now();
  await c.stop(200);
  t.ok(Date.now() - before >= 190, 'waited for the deadline');
  t.equal(signal?.aborted, true, 'the handler was aborted');
  t.same(callsOf(sqs, 'ChangeMessageVisibilityCommand'), [{ QueueUrl: 'http://queue', ReceiptHandle: 'r1', VisibilityTimeout: 0 }]);
  t.same(callsOf(sqs, 'DeleteMessageCommand'), []);
  t.equal(c.inFlight, 0);
});

t.test('release (a second signal) hands everything back without waiting for the deadline', async (t) => {
  const sqs = fakeSqs([message(1), message(2)]);
  let started = 0;
  const c = consumer(sqs, (_m, s) => {
    started += 1;
    return new Promise((_resolve, reject) => s.addEventListener('abort', () => reject(s.reason)));
  });
  await waitFor('both jobs to start', async () => started === 2, 5000);
  const stopping = c.stop(60_000);
  const before = Date.now();
  await c.release();
  await stopping;
  t.ok(Date.now() - before < 5000, 'did not wait for the 60 s deadline');
  t.same(callsOf(sqs, 'ChangeMessageVisibilityCommand').map((i) => [i.ReceiptHandle, i.VisibilityTimeout]).sort(), [['r1', 0], ['r2', 0]]);
});

t.test('a failed receive is counted and the loop goes on', async (t) => {
  const sqs = fakeSqs([message(1)], { failReceives: 2 });
  const handled: number[] = [];
  const c = consumer(sqs, async (m) => void handled.push(m.taskId));
  await waitFor('the message after the failures', async () => handled.length === 1, 5000);
  await c.stop(1000);
  t.equal(c.receiveErrors(), 2);
});

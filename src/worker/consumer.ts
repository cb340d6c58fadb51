// The queue loop, written here rather than with sqs-consumer because a stop must
// abort ffmpeg (an AbortSignal per job) and hand unfinished messages straight
// back (visibility 0), and neither is in sqs-consumer's API.
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseTaskMessage, type TaskMessage } from '../queue/sqs.ts';

export interface ConsumerOptions {
  sqs: Pick<SQSClient, 'send'>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: { receiveErrors: { inc: () => void } };
  queueUrl: string;
  concurrency: number;
  /** Handles one message; resolves when it may be deleted, rejects to leave it for redelivery. */
  handle: (message: TaskMessage, signal: AbortSignal) => Promise<unknown>;
  waitTimeSeconds?: number;
  /** First redelivery delay after a transient failure; doubles with each receive, up to 5 minutes. */
  retryDelaySeconds?: number;
  /** Pause after a failed receive. */
  receiveErrorPauseMs?: number;
}

interface Job {
  message: Message;
  controller: AbortController;
  done: Promise<void>;
}

const backoffSeconds = (base: number, receiveCount: number) => Math.min(300, base * 2 ** Math.max(0, receiveCount - 1));

export function startConsumer(options: ConsumerOptions) {
  const { sqs, log, metrics, queueUrl, concurrency, handle, waitTimeSeconds = 20, retryDelaySeconds = 10, receiveErrorPauseMs = 2000 } = options;
  const jobs = new Set<Job>();
  const polling = new AbortController();
  let slotFreed: () => void = () => {};
  let visibilityTimeout = 60;

  const setVisibility = (message: Message, seconds: number) =>
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: seconds }));

  function run(message: Message) {
    const controller = new AbortController();
    // Keep the message ours while ffmpeg runs: extend well before the timeout ends.
    const heartbeat = setInterval(() => {
      setVisibility(message, visibilityTimeout).catch((err: Error) => log.warn({ err }, 'heartbeat failed'));
    }, (visibilityTimeout * 1000) / 3);
    const task = parseTaskMessage(message.Body);
    const job: Job = { message, controller, done: Promise.resolve() };
    job.done = (async () => {
      try {
        if (!task) log.error({ body: message.Body }, 'dropping a message that is not a task message');
        else await handle(task, controller.signal);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      } catch (error) {
        if (controller.signal.aborted) return; // released by release()
        const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
        log.warn({ err: error, task, receives }, 'will retry after a transient failure');
        await setVisibility(message, backoffSeconds(retryDelaySeconds, receives)).catch(() => {});
      } finally {
        clearInterval(heartbeat);
        jobs.delete(job);
        slotFreed();
      }
    })();
    jobs.add(job);
  }

  const loop = (async () => {
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] })).catch(() => undefined);
    visibilityTimeout = Number(attributes?.Attributes?.VisibilityTimeout ?? visibilityTimeout);
    while (!polling.signal.aborted) {
      if (jobs.size >= concurrency) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, concurrency - jobs.size),
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: polling.signal },
        );
        for (const message of Messages) run(message);
      } catch (error) {
        if (polling.signal.aborted) break;
        metrics.receiveErrors.inc();
        log.error({ err: error }, 'receiving from the queue failed');
        await sleep(receiveErrorPauseMs);
      }
    }
  })();

  const releases: Array<Promise<void>> = [];
  /** Aborts every running job and hands its message straight back to the queue. */
  function release(): Promise<void> {
    const left = [...jobs];
    const released = (async () => {
      if (left.length === 0) return;
      for (const job of left) job.controller.abort(new Error('worker stopping'));
      await Promise.all(left.map((job) => job.done));
      await Promise.all(left.map((job) => setVisibility(job.message, 0).catch(() => {})));
      log.info({ released: left.length }, 'released unfinished messages');
    })();
    releases.push(released);
    return released;
  }

  return {
    get inFlight() {
      return jobs.size;
    },
    release,
    /** Stops receiving, lets running jobs finish for up to deadlineMs, then releases what is left. */
    async stop(deadlineMs: number): Promise<void> {
      polling.abort();
      slotFreed();
      await loop;
      const all = Promise.all([...jobs].map((job) => job.done));
      const deadline = new AbortController(); // so the timer does not outlive a drain that ended early
      const timedOut = await Promise.race([all.then(() => false), sleep(deadlineMs, true, { signal: deadline.signal }).catch(() => false)]);
      deadline.abort();
      if (timedOut) await release();
      await Promise.all(releases); // a release() begun elsewhere (a second signal) must finish before the client closes
    },
  };
}

export type Consumer = ReturnType<typeof startConsumer>;

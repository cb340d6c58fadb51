// Starts one worker process: the conversion consumer, the dead-letter consumer,
// the sweepers for unsent tasks, expired direct uploads and unreferenced files, webhook
// deliveries, the expiry sweeper, and /health + /metrics on WORKER_PORT.
//
// Stopping: the first SIGTERM/SIGINT stops receiving and lets running conversions
// finish for WORKER_DRAIN_SECONDS, then aborts them and hands their messages back;
// a second signal hands them back at once; close-with-grace exits hard if even that
// hangs, and turns an unexpected error into the same graceful stop (exit 1).
import closeWithGrace from 'close-with-grace';
import { createServer } from 'node:http';
import { loadConfigOrExit } from '../config.ts';
import { requeueUnsent } from '../tasks/enqueue.ts';
import { sweepExpiredUploads } from '../uploads/sweeper.ts';
import { deleteUnreferencedFiles } from '../tasks/orphans.ts';
import { startConsumer } from './consumer.ts';
import { failDeadLetter } from './dead-letters.ts';
import { closeWorkerDeps, createWorkerDeps } from './deps.ts';
import { EXPIRY_SWEEP_MS, sweepExpired } from './expiry-sweeper.ts';
import { processTask } from './process-task.ts';
import { startDeliveryLoop } from './webhook-deliveries.ts';

/** Beyond the drain: time to abort ffmpeg, hand messages back and close connections. */
const RELEASE_GRACE_MS = 15_000;

const config = loadConfigOrExit();

const deps = createWorkerDeps(config);
const { sqs, log, metrics } = deps;
const conversions = startConsumer({
  sqs,
  log,
  metrics,
  queueUrl: config.SQS_QUEUE_URL,
  concurrency: config.WORKER_CONCURRENCY,
  retryDelaySeconds: config.WORKER_RETRY_DELAY_SECONDS,
  handle: (message, signal) => processTask(deps, message, signal),
});
const deadLetters = startConsumer({ sqs, log, metrics, queueUrl: config.SQS_DLQ_URL, concurrency: 1, handle: (message) => failDeadLetter(deps, message) });
/** Runs `sweep` every `ms`; a failed run is logged and the next one tries again. */
const every = (ms: number, what: string, sweep: () => Promise<unknown>) =>
  setInterval(() => void sweep().catch((err: Error) => log.warn({ err }, `${what} failed`)), ms);
// A task still unsent UNSENT_GRACE_SECONDS after its upload is sent by the sweeper.
const unsentGraceMs = config.UNSENT_GRACE_SECONDS * 1000;
const sweepers = [
  every(unsentGraceMs / 2, 'sweep', () => requeueUnsent(deps.db, deps.sendMessage, config.SQS_QUEUE_URL, unsentGraceMs)),
  every(unsentGraceMs / 2, 'upload sweep', () => sweepExpiredUploads(deps.db, deps.s3, config.S3_BUCKET)),
  every(EXPIRY_SWEEP_MS, 'expiry sweep', () => sweepExpired(deps)),
  // Every half grace period, and at least every 10 minutes.
  every(Math.min(config.ORPHAN_GRACE_SECONDS * 500, 600_000), 'file sweep', async () => {
    const deleted = await deleteUnreferencedFiles(deps.db, deps.s3, config.S3_BUCKET, config.ORPHAN_GRACE_SECONDS * 1000);
    if (deleted) log.warn({ deleted }, 'deleted files that no task references');
  }),
];
const webhooks = startDeliveryLoop(deps);

const server = createServer(async (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', inFlight: conversions.inFlight }));
  } else if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"error":"Not Found","message":"GET /health or /metrics"}');
  }
});
server.listen(config.WORKER_PORT, config.HOST, () => log.info({ port: config.WORKER_PORT, concurrency: config.WORKER_CONCURRENCY }, 'worker started'));

const drainMs = config.WORKER_DRAIN_SECONDS * 1000;
const closer = closeWithGrace(
  {
    delay: drainMs + RELEASE_GRACE_MS,
    skip: ['SIGTERM', 'SIGINT'], // handled below: a second one releases instead of exiting at once
    logger: { error: (message: unknown) => log.error({ message }, 'forced exit') },
  },
  async ({ signal, err }) => {
    if (err) log.error({ err }, 'stopping after an unexpected error');
    log.info({ signal, inFlight: conversions.inFlight, drainSeconds: config.WORKER_DRAIN_SECONDS }, 'stopping: finishing running conversions');
    sweepers.forEach(clearInterval);
    await Promise.all([conversions.stop(drainMs), deadLetters.stop(drainMs), webhooks.stop()]);
    server.close();
    await closeWorkerDeps(deps);
    log.info('stopped');
  },
);

let signals = 0;
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.on(name, () => {
    signals += 1;
    if (signals === 1) return void closer.close();
    log.info({ signal: name }, 'second signal: handing running conversions back now');
    void Promise.all([conversions.release(), deadLetters.release()]);
  });
}

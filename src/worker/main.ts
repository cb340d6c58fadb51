// Starts one worker process: the conversion consumer, the dead-letter consumer,
// the sweeper for unsent tasks, and /health + /metrics on WORKER_PORT.
import { createServer } from 'node:http';
import { loadConfigOrExit } from '../config.ts';
import { requeueUnsent } from '../queue/enqueue.ts';
import { startConsumer } from './consumer.ts';
import { failDeadLetter } from './dead-letters.ts';
import { closeWorkerDeps, createWorkerDeps } from './deps.ts';
import { processTask } from './process-task.ts';

/** A task still unsent this long after its upload is sent by the sweeper. */
const SWEEP_GRACE_MS = 60_000;

const config = loadConfigOrExit();

const deps = createWorkerDeps(config);
const conversions = startConsumer(deps, {
  queueUrl: config.SQS_QUEUE_URL,
  concurrency: config.WORKER_CONCURRENCY,
  retryDelaySeconds: config.WORKER_RETRY_DELAY_SECONDS,
  handle: (message, signal) => processTask(deps, message, signal),
});
const deadLetters = startConsumer(deps, { queueUrl: config.SQS_DLQ_URL, concurrency: 1, handle: (message) => failDeadLetter(deps, message) });
const sweeper = setInterval(() => {
  requeueUnsent(deps.db, deps.sqs, config.SQS_QUEUE_URL, SWEEP_GRACE_MS).catch((err: Error) => deps.log.warn({ err }, 'sweep failed'));
}, SWEEP_GRACE_MS / 2);

const server = createServer(async (req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', inFlight: conversions.inFlight }));
  } else if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(await deps.metrics.registry.metrics());
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404,"error":"Not Found","message":"GET /health or /metrics"}');
  }
});
server.listen(config.WORKER_PORT, config.HOST, () => deps.log.info({ port: config.WORKER_PORT, concurrency: config.WORKER_CONCURRENCY }, 'worker started'));

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  deps.log.info({ signal, inFlight: conversions.inFlight }, 'stopping: finishing running conversions');
  clearInterval(sweeper);
  await Promise.all([conversions.stop(config.WORKER_DRAIN_SECONDS * 1000), deadLetters.stop(config.WORKER_DRAIN_SECONDS * 1000)]);
  server.close();
  await closeWorkerDeps(deps);
  deps.log.info('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

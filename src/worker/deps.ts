// What a worker needs, made in one place from the configuration.
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESClient } from '@aws-sdk/client-ses';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { tmpdir } from 'node:os';
import { pino, type Logger } from 'pino';
import { findBinaries, type Binaries } from '../audio/binaries.ts';
import type { Config } from '../config.ts';
import { createDatabase, type Database } from '../db/client.ts';
import { loggerOptions } from '../logger.ts';
import { createSes } from '../mail/ses.ts';
import { createMessageSender, type SendMessage } from '../queue/send-message.ts';
import { createSqs } from '../queue/sqs.ts';
import { createUrlSigner, type UrlSigner } from '../storage/presigned-urls.ts';
import { createS3 } from '../storage/s3.ts';
import { createMetrics, type Metrics } from './metrics.ts';

export interface WorkerDeps {
  config: Config;
  db: Database;
  s3: S3Client;
  /** Signs the URLs ffmpeg reads originals from: at the services' own S3 endpoint, not the browsers'. */
  urls: UrlSigner;
  sqs: SQSClient;
  /** Sends a task's message (the unsent-task sweeper). */
  sendMessage: SendMessage;
  ses: SESClient;
  binaries: Binaries;
  metrics: Metrics;
  log: Logger;
  /** Where each job makes its own temporary folder. */
  tempRoot: string;
}

export function createWorkerDeps(config: Config, overrides: Partial<WorkerDeps> = {}): WorkerDeps {
  const s3 = overrides.s3 ?? createS3(config);
  const sqs = overrides.sqs ?? createSqs(config);
  return {
    config,
    db: createDatabase(config.DATABASE_URL, { poolSize: config.WORKER_CONCURRENCY + 2, passwordFile: config.DATABASE_PASSWORD_FILE }),
    s3,
    urls: createUrlSigner(config, s3, { internal: true }),
    sqs,
    sendMessage: createMessageSender(config, sqs),
    ses: createSes(config),
    binaries: findBinaries(config),
    metrics: createMetrics(),
    log: pino(loggerOptions(config)),
    tempRoot: tmpdir(),
    ...overrides,
  };
}

export async function closeWorkerDeps(deps: WorkerDeps): Promise<void> {
  deps.s3.destroy();
  deps.sqs.destroy();
  await deps.sendMessage.close();
  deps.ses.destroy();
  await deps.db.$disconnect();
}

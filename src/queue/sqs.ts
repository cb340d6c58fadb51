// The conversion queue: one message per task version, {taskId, version}.
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Config } from '../config.ts';
import type { SendMessage } from './send-message.ts';

export interface TaskMessage {
  taskId: number;
  version: number;
}

export function createSqs(config: Config): SQSClient {
  // Emulator queue URLs name hosts that do not resolve, so the endpoint is always given explicitly.
  return new SQSClient({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_SQS ?? config.AWS_ENDPOINT_URL });
}

export async function sendTaskMessage(send: SendMessage, queueUrl: string, message: TaskMessage): Promise<void> {
  await send(queueUrl, JSON.stringify(message));
}

/** Returns null for a body that is not a task message (it can only be dropped). */
export function parseTaskMessage(body: string | undefined): TaskMessage | null {
  try {
    const value: unknown = JSON.parse(body ?? '');
    if (typeof value !== 'object' || value === null) return null;
    const { taskId, version } = value as Record<string, unknown>;
    return Number.isInteger(taskId) && Number.isInteger(version) ? { taskId: taskId as number, version: version as number } : null;
  } catch {
    return null;
  }
}

// The delivery table: one row per event and endpoint, drained by the workers. A table rather
// than SQS delays: SQS delays stop at 15 minutes (a day of backoff would mean re-sending
// messages), a row can be written in the transaction that makes the task final, and the
// same rows are the delivery log a client reads.
import type { Database } from '../db/client.ts';
import { DeliveryStatus } from '../generated/prisma/client.ts';

export interface DueDelivery {
  id: number;
  messageId: string;
  endpointId: number;
  payload: unknown;
  attempts: number;
}

/**
 * Takes up to `take` due deliveries, pushing their next attempt `leaseMs` ahead so that no
 * other worker takes them meanwhile (a worker that dies leaves them due again after that).
 */
export function claimDueDeliveries(db: Database, take: number, leaseMs: number): Promise<DueDelivery[]> {
  return db.$queryRaw<DueDelivery[]>`
    UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1, next_attempt_at = now() + ${leaseMs} * interval '1 millisecond', last_attempt_at = now()
     WHERE d.id IN (SELECT id FROM webhook_deliveries
                     WHERE status = 'pending' AND next_attempt_at <= now()
                     ORDER BY next_attempt_at LIMIT ${take} FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.message_id AS "messageId", d.endpoint_id AS "endpointId", d.payload, d.attempts`;
}

export async function markDelivered(db: Database, id: number, statusCode: number | null): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id }, data: { status: DeliveryStatus.delivered, deliveredAt: new Date(), lastStatusCode: statusCode, lastError: null } });
}

export async function scheduleRetry(db: Database, id: number, statusCode: number | null, error: string, retryAt: Date): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id }, data: { nextAttemptAt: retryAt, lastStatusCode: statusCode, lastError: error } });
}

export async function markFailed(db: Database, id: number, statusCode: number | null, error: string): Promise<void> {
  await db.webhookDelivery.updateMany({ where: { id }, data: { status: DeliveryStatus.failed, lastStatusCode: statusCode, lastError: error } });
}

/**
 * Disables an endpoint after a delivery was given up, and fails its other pending deliveries.
 * Returns the owner's email and the URL when this call disabled it (so the email goes once).
 */
export async function disableEndpoint(db: Database, endpointId: number): Promise<{ email: string; url: string } | null> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({ where: { id: endpointId, disabledAt: null }, data: { disabledAt: new Date() } });
    if (count === 0) return null;
    await tx.webhookDelivery.updateMany({
      where: { endpointId, status: DeliveryStatus.pending },
      data: { status: DeliveryStatus.failed, lastError: 'not sent: the endpoint was disabled after repeated failures' },
    });
    const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { url: true, user: { select: { email: true } } } });
    return { email: endpoint.user.email, url: endpoint.url };
  });
}

export const deliveryLogSelect = {
  id: true,
  messageId: true,
  event: true,
  status: true,
  attempts: true,
  lastStatusCode: true,
  lastError: true,
  lastAttemptAt: true,
  nextAttemptAt: true,
  createdAt: true,
  deliveredAt: true,
  endpoint: { select: { id: true, url: true } },
} as const;

export const listTaskDeliveries = (db: Database, taskId: number) =>
  db.webhookDelivery.findMany({ where: { taskId }, select: deliveryLogSelect, orderBy: { id: 'asc' } });

// Webhook endpoints: a user's registered URLs, and the one-off endpoint of a task's `webhookUrl`.
// The secret must be kept in clear (it signs), and is shown to its owner once, at creation.
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { createWithinLimit } from '../db/per-user-limit.ts';

export const TASK_EVENTS = ['task.processed', 'task.failed'] as const;
export type TaskEvent = (typeof TASK_EVENTS)[number];

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export const endpointSelect = { id: true, url: true, events: true, createdAt: true, disabledAt: true } as const;

export async function createEndpoint(db: Database, userId: number, url: string, events: TaskEvent[], limit: number) {
  const secret = newSecret();
  const row = await createWithinLimit(db, userId, limit, {
    count: (tx) => tx.webhookEndpoint.count({ where: { userId, taskId: null } }),
    create: (tx) => tx.webhookEndpoint.create({ data: { userId, url, events, secret }, select: endpointSelect }),
    tooMany: `You already have ${limit} webhook endpoints, the most allowed; delete one (DELETE /api/webhooks/:id) first`,
  });
  return { ...row, secret };
}

export const listEndpoints = (db: Database, userId: number) =>
  db.webhookEndpoint.findMany({ where: { userId, taskId: null }, select: endpointSelect, orderBy: { id: 'asc' } });

/** Deleting an endpoint drops its pending deliveries with it. */
export async function deleteEndpoint(db: Database, userId: number, id: number): Promise<boolean> {
  const { count } = await db.webhookEndpoint.deleteMany({ where: { id, userId, taskId: null } });
  return count > 0;
}

// A task that became final owes one event to each endpoint that wants it. The rows are
// written in the transaction that makes the task final (src/tasks/transitions.ts), so an
// event is never lost between the state change and its delivery, nor recorded twice.
import { randomUUID } from 'node:crypto';
import { TaskStatus, type Prisma, type Task } from '../generated/prisma/client.ts';
import { taskView } from '../web/task-view.ts';
import type { TaskEvent } from './endpoints.ts';

export async function recordTaskEvent(tx: Prisma.TransactionClient, task: Task, retentionDays: number): Promise<void> {
  const event: TaskEvent = task.status === TaskStatus.processed ? 'task.processed' : 'task.failed';
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { userId: task.userId, disabledAt: null, events: { has: event }, OR: [{ taskId: null }, { taskId: task.id }] },
    select: { id: true },
  });
  if (endpoints.length === 0) return;
  // Standard Webhooks' payload shape; `data` is the task as GET /api/tasks/:id shows it.
  const payload = { type: event, timestamp: new Date().toISOString(), data: taskView(task, retentionDays) };
  const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
  await tx.webhookDelivery.createMany({ data: endpoints.map((endpoint) => ({ messageId, endpointId: endpoint.id, taskId: task.id, event, payload })) });
}

// A message that failed maxReceiveCount times lands in the dead-letter queue:
// its task ends `failed` with a reason, and the owner is told.
import type { TaskMessage } from '../queue/sqs.ts';
import type { WorkerDeps } from './deps.ts';
import { notifyOwner } from './notify.ts';

export const DEAD_LETTER_REASON = 'the conversion kept failing on our side and was given up after several attempts; try again later';

export async function failDeadLetter(deps: WorkerDeps, { taskId, version }: TaskMessage): Promise<void> {
  const failed = await deps.db.task.updateMany({
    where: { id: taskId, version, status: { in: ['uploaded', 'processing'] } },
    data: { status: 'failed', statusReason: DEAD_LETTER_REASON, finishedAt: new Date() },
  });
  if (failed.count > 0) deps.log.warn({ taskId, version }, 'task failed from the dead-letter queue');
  await notifyOwner(deps, taskId, version);
}

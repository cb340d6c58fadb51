// A message that failed maxReceiveCount times lands in the dead-letter queue:
// its task ends `failed` with a reason, and the owner is told.
import type { TaskMessage } from '../queue/sqs.ts';
import { failTask } from '../tasks/transitions.ts';
import type { WorkerDeps } from './deps.ts';
import { notifyOwner } from './notify.ts';

export const DEAD_LETTER_REASON = 'the conversion kept failing on our side and was given up after several attempts; try again later';

export async function failDeadLetter(deps: WorkerDeps, message: TaskMessage): Promise<void> {
  if (await failTask(deps.db, message, DEAD_LETTER_REASON, deps.config.FILE_RETENTION_DAYS)) deps.log.warn(message, 'task failed from the dead-letter queue');
  await notifyOwner(deps, message);
}

// A message that failed maxReceiveCount times lands in the dead-letter queue:
// its task ends `failed` with a reason, and the owner is told. A message that got here
// because the email kept failing (the task itself may be processed) has its email given
// up with the reason recorded on the task: retrying it here would never end, since the
// dead-letter queue has no dead-letter queue of its own.
import type { TaskMessage } from '../queue/sqs.ts';
import { failTask, giveUpNotification } from '../tasks/transitions.ts';
import type { WorkerDeps } from './deps.ts';
import { notifyOwner } from './notify.ts';

export const DEAD_LETTER_REASON = 'the conversion kept failing on our side and was given up after several attempts; try again later';

export async function failDeadLetter(deps: WorkerDeps, message: TaskMessage): Promise<void> {
  if (await failTask(deps.db, message, DEAD_LETTER_REASON, deps.config.FILE_RETENTION_DAYS)) deps.log.warn(message, 'task failed from the dead-letter queue');
  try {
    await notifyOwner(deps, message);
  } catch (error) {
    const reason = `the email could not be sent after several attempts: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 500);
    await giveUpNotification(deps.db, message, reason);
    deps.log.error({ err: error, ...message }, 'email given up');
  }
}

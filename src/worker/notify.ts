// The owner's email when a conversion ends, sent once: the notification is claimed
// atomically before sending (src/tasks), and released again if sending fails.
import { TARGET_FORMATS, type TargetFormatName } from '../audio/formats.ts';
import { TaskStatus } from '../generated/prisma/enums.ts';
import { sendEmail, type Email } from '../mail/ses.ts';
import { claimNotification, releaseNotification, type TaskRef } from '../tasks/transitions.ts';
import type { WorkerDeps } from './deps.ts';

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface FinishedTask {
  id: number;
  fileName: string;
  sourceFormat: string;
  targetFormat: string;
  status: TaskStatus;
  statusReason: string | null;
}

export function finishedEmail(to: string, task: FinishedTask, baseUrl: string): Email {
  // The web UI for people (it asks them to log in); the API route for scripts, which send their token.
  const app = `${baseUrl}/`;
  const api = `${baseUrl}/api/tasks/${task.id}/converted`;
  const target = task.targetFormat.toUpperCase();
  if (task.status === TaskStatus.processed) {
    const text = `Your file ${task.fileName} was converted from ${task.sourceFormat.toUpperCase()} to ${target}.\n\nDownload it from ${app} (log in to see your conversions), or with the API: GET ${api}\n`;
    const html = `<p>Your file <b>${escapeHtml(task.fileName)}</b> was converted from ${escapeHtml(task.sourceFormat.toUpperCase())} to ${escapeHtml(target)} (${escapeHtml(TARGET_FORMATS[task.targetFormat as TargetFormatName]?.contentType ?? '')}).</p><p><a href="${escapeHtml(app)}">Open Cloud Conversion Tool to download it</a> (API: <code>GET ${escapeHtml(api)}</code>)</p>`;
    return { to, subject: `${task.fileName} is ready as ${target}`, text, html };
  }
  const reason = task.statusReason ?? 'unknown error';
  return {
    to,
    subject: `${task.fileName} could not be converted`,
    text: `Your file ${task.fileName} could not be converted to ${target}: ${reason}.\n`,
    html: `<p>Your file <b>${escapeHtml(task.fileName)}</b> could not be converted to ${escapeHtml(target)}: ${escapeHtml(reason)}.</p>`,
  };
}

/** Emails the owner about the task's final state unless that version was already notified. */
export async function notifyOwner(deps: WorkerDeps, ref: TaskRef): Promise<boolean> {
  const task = await claimNotification(deps.db, ref);
  if (!task) return false;
  try {
    await sendEmail(deps.ses, deps.config.SES_FROM, finishedEmail(task.user.email, task, deps.config.PUBLIC_BASE_URL));
    return true;
  } catch (error) {
    await releaseNotification(deps.db, ref);
    throw error;
  }
}

/// <reference lib="dom" />
// The caller's task changes as they happen, from GET /api/tasks/events (Server-Sent Events).
// Read with fetch rather than EventSource, which cannot send the Authorization header: the
// token stays out of URLs (and so out of logs and history), and no cookie is needed.
import { openTaskEvents, type Task } from './api.ts';

export interface TaskEventHandlers {
  /** The stream is open: changes from now on will arrive (load the list once to catch up). */
  open(): void;
  task(task: Task): void;
  deleted(id: number): void;
  /** Changes may have been missed (the server lost its feed, or the token expired): load the list again. */
  resync(): void;
  /** The stream failed or ended: poll until it is back. */
  closed(): void;
}

/** The frames of one chunk of text/event-stream: `event:` and `data:` lines, a blank line ends a frame. */
function* frames(buffer: { text: string }): Generator<{ event: string; data: string }> {
  for (let end = buffer.text.indexOf('\n\n'); end >= 0; end = buffer.text.indexOf('\n\n')) {
    const lines = buffer.text.slice(0, end).split('\n');
    buffer.text = buffer.text.slice(end + 2);
    const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim() ?? 'message';
    const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
    if (data) yield { event, data };
  }
}

/** Follows the stream until `signal` aborts; calls `closed` once if it fails or ends first. */
export async function followTaskEvents(handlers: TaskEventHandlers, signal: AbortSignal): Promise<void> {
  try {
    const response = await openTaskEvents(signal);
    handlers.open();
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const buffer = { text: '' };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer.text += value.replaceAll('\r\n', '\n');
      for (const { event, data } of frames(buffer)) {
        if (event === 'task') handlers.task(JSON.parse(data) as Task);
        else if (event === 'deleted') handlers.deleted((JSON.parse(data) as { id: number }).id);
        else if (event === 'resync' || event === 'expired') handlers.resync();
      }
    }
  } catch {
    // A network failure, an error answer (a 401 has already brought back the log-in form) or an abort.
  }
  if (!signal.aborted) handlers.closed();
}

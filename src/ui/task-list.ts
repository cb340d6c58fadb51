/// <reference lib="dom" />
// The caller's tasks, newest first, kept up to date by the server's event stream; while the
// stream is down, polled every 2 s (If-None-Match: 304 while nothing changed) while any task
// is waiting or converting. Rows are updated in place (keyed by task id) so that focus and
// scroll survive each change.
import { ApiError, deleteTask, download, getTask, listTasks, type Task, type TaskStatus } from './api.ts';
import { byId, element } from './dom.ts';
import { followTaskEvents } from './task-events.ts';
import { bytes, dateTime, duration } from './units.ts';

const POLL_MS = 2000;
const RETRY_MS = 5000;
const ACTIVE: ReadonlySet<TaskStatus> = new Set(['uploaded', 'processing']);

const STATUS_TEXT: Record<TaskStatus, (task: Task) => string> = {
  uploaded: () => 'Waiting',
  processing: (task) => `Converting ${task.progress} %`,
  processed: () => 'Done',
  failed: () => 'Failed',
};

const errorText = (error: unknown) => (error instanceof ApiError ? error.message : String(error));

function optionsText(task: Task): string {
  const { bitrate, sampleRate, channels } = task.options;
  const parts = [bitrate && `${bitrate} kbit/s`, sampleRate && `${sampleRate} Hz`, channels && (channels === 1 ? 'mono' : `${channels} channels`)].filter(Boolean);
  return parts.length ? parts.join(', ') : 'defaults';
}

interface Actions {
  onConvert(task: Task): void;
  onDelete(task: Task, row: HTMLLIElement): void;
}

/** One task's list item and how to bring it up to date. */
function taskRow(first: Task, actions: Actions) {
  let task = first;
  const nameId = `task-${task.id}-name`;
  const target = element('span', { class: 'target' });
  const status = element('span', { class: 'status' });
  const progress = element('progress', { max: '100', 'aria-label': `Conversion of ${task.fileName}` });
  const reason = element('p', { class: 'reason' });
  const error = element('p', { class: 'task-error', role: 'alert' });
  const facts = {
    size: element('dd'),
    duration: element('dd'),
    options: element('dd'),
    created: element('dd', {}, dateTime(task.createdAt)),
    files: element('dd'),
  };
  const button = (text: string, onClick: () => void, className = 'secondary') => {
    const node = element('button', { type: 'button', class: className, 'aria-describedby': nameId }, text);
    node.addEventListener('click', onClick);
    return node;
  };
  /** A button that runs `action` once at a time and shows its failure under the task. */
  const actionButton = (text: string, className: string, failure: string, action: () => Promise<void>) => {
    const node = button(text, () => {
      error.textContent = '';
      node.disabled = true;
      action()
        .catch((problem: unknown) => (error.textContent = `${failure}: ${errorText(problem)}`))
        .finally(() => (node.disabled = false));
    }, className);
    return node;
  };
  const converted = actionButton('Download', 'primary', 'Download failed', () => download(task.id, 'converted'));
  const original = actionButton('Download original', 'secondary', 'Download failed', () => download(task.id, 'original'));
  // The result plays from its presigned S3 URL, fetched when asked for (the URLs are short-lived).
  const player = element('audio', { controls: true, preload: 'none', 'aria-label': `Result of ${task.fileName}` });
  player.hidden = true;
  const play = actionButton('Play', 'secondary', 'Playback failed', async () => {
    const url = (await getTask(task.id)).urls?.converted;
    if (!url) return;
    player.src = url;
    player.hidden = false;
    await player.play();
  });
  const row = element(
    'li',
    { class: 'task', 'aria-labelledby': nameId },
    element(
      'div',
      { class: 'task-head' },
      element('h3', { id: nameId, class: 'task-name' }, element('span', { class: 'file' }, task.fileName), element('span', { 'aria-hidden': 'true' }, ' → '), element('span', { class: 'visually-hidden' }, ' to '), target),
      status,
    ),
    progress,
    reason,
    element('dl', { class: 'facts' }, element('dt', {}, 'Size'), facts.size, element('dt', {}, 'Duration'), facts.duration, element('dt', {}, 'Options'), facts.options, element('dt', {}, 'Created'), facts.created, element('dt', {}, 'Files'), facts.files),
    element('div', { class: 'actions' }, converted, play, original, button('Change format', () => actions.onConvert(task)), button('Delete', () => actions.onDelete(task, row), 'danger')),
    player,
    error,
  );

  function update(next: Task) {
    task = next;
    row.dataset.status = task.status;
    target.textContent = task.targetFormat;
    status.textContent = STATUS_TEXT[task.status](task);
    progress.hidden = task.status !== 'processing';
    progress.value = task.progress;
    reason.hidden = !task.statusReason;
    reason.textContent = task.statusReason ?? '';
    facts.size.textContent = task.outputBytes === null ? bytes(task.inputBytes) : `${bytes(task.inputBytes)} → ${bytes(task.outputBytes)}`;
    facts.duration.textContent = duration(task.durationSeconds);
    facts.options.textContent = optionsText(task);
    facts.files.textContent = task.expired ? `deleted ${dateTime(task.expiresAt)}` : `kept until ${dateTime(task.expiresAt)}`;
    converted.hidden = !task.links.converted;
    original.hidden = task.expired;
    converted.textContent = `Download ${task.targetFormat}`;
    play.hidden = !task.links.converted;
    if (!task.links.converted && player.src) {
      player.pause();
      player.removeAttribute('src');
      player.hidden = true;
    }
  }
  update(task);
  return { row, update, task: () => task };
}

export function taskList(announce: (message: string) => void, onConvert: (task: Task) => void) {
  const list = byId('tasks', HTMLOListElement);
  const empty = byId('tasks-empty', HTMLElement);
  const listError = byId('tasks-error', HTMLElement);
  const heading = byId('tasks-title', HTMLElement);
  const rows = new Map<number, ReturnType<typeof taskRow>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let stream: { controller: AbortController; live: boolean } | undefined;
  let etag: string | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;

  const actions: Actions = {
    onConvert,
    onDelete(task, row) {
      if (!confirm(`Delete ${task.fileName} and its converted file?`)) return;
      deleteTask(task.id)
        .then(() => {
          rows.delete(task.id);
          row.remove();
          empty.hidden = rows.size > 0;
          heading.focus();
          announce(`${task.fileName} deleted`);
        })
        .catch((error: unknown) => announce(`Could not delete ${task.fileName}: ${errorText(error)}`));
    },
  };

  /** Brings the task's row up to date (or makes it), announcing the end of a conversion. */
  function show(task: Task) {
    const entry = rows.get(task.id);
    if (!entry) {
      const made = taskRow(task, actions);
      rows.set(task.id, made);
      return made;
    }
    const before = entry.task().status;
    entry.update(task);
    if (before !== task.status && task.status === 'processed') announce(`${task.fileName} converted to ${task.targetFormat}`);
    if (before !== task.status && task.status === 'failed') announce(`${task.fileName} failed: ${task.statusReason ?? 'no reason given'}`);
    return entry;
  }

  function render(tasks: Task[]) {
    const seen = new Set<number>();
    for (const [index, task] of tasks.entries()) {
      seen.add(task.id);
      const entry = show(task);
      // Keep the DOM in the list's order without moving rows that are already in place.
      if (list.children[index] !== entry.row) list.insertBefore(entry.row, list.children[index] ?? null);
    }
    for (const [id, entry] of rows) {
      if (!seen.has(id)) {
        entry.row.remove();
        rows.delete(id);
      }
    }
    empty.hidden = tasks.length > 0;
  }

  /** One task from the stream: updated in place, or inserted in the list's order (newest first). */
  function upsert(task: Task) {
    const entry = show(task);
    if (entry.row.isConnected) return;
    const next = [...rows.values()].filter((other) => other.row.isConnected && other.task().id < task.id).sort((a, b) => b.task().id - a.task().id)[0];
    list.insertBefore(entry.row, next?.row ?? null);
    empty.hidden = true;
  }

  function remove(id: number) {
    rows.get(id)?.row.remove();
    rows.delete(id);
    empty.hidden = rows.size > 0;
  }

  async function poll() {
    clearTimeout(timer);
    let delay: number | null = null;
    try {
      const page = await listTasks(etag);
      if (stopped) return;
      listError.textContent = '';
      if (page) {
        etag = page.etag ?? undefined;
        render(page.tasks);
      }
      if ([...rows.values()].some((row) => ACTIVE.has(row.task().status))) delay = POLL_MS;
    } catch (error) {
      if (stopped || (error instanceof ApiError && error.status === 401)) return;
      listError.textContent = `The list could not be loaded: ${errorText(error)}`;
      delay = RETRY_MS;
    }
    // While the stream is open it brings every change: no polling.
    if (!stopped && !stream?.live && delay !== null) timer = setTimeout(() => void refresh(), delay);
  }

  /** Loads the list now (a 304 when nothing changed); a call while a load runs makes one more load after it. */
  function refresh(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = poll().finally(() => {
      running = null;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return running;
  }

  /** Follows the event stream; while it is down, the list is polled, and the stream retried. */
  function connect() {
    const current = { controller: new AbortController(), live: false };
    stream = current;
    void followTaskEvents(
      {
        open() {
          current.live = true;
          clearTimeout(timer);
          void refresh(); // what changed before the stream opened
        },
        task: upsert,
        deleted: remove,
        resync: () => void refresh(),
        closed() {
          current.live = false;
          void refresh();
          reconnect = setTimeout(connect, RETRY_MS);
        },
      },
      current.controller.signal,
    );
  }

  byId('refresh', HTMLButtonElement).addEventListener('click', () => void refresh());

  return {
    refresh,
    /** Loads the list and follows its changes (after log-in). */
    start() {
      stopped = false;
      connect();
      return refresh();
    },
    /** Stops following and polling, and forgets the rows (at log-out). */
    stop() {
      stopped = true;
      stream?.controller.abort();
      stream = undefined;
      etag = undefined;
      clearTimeout(timer);
      clearTimeout(reconnect);
      rows.clear();
      list.replaceChildren();
      listError.textContent = '';
    },
  };
}

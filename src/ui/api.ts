/// <reference lib="dom" />
// The browser's client of the HTTP API: the token, JSON requests, uploads with progress, downloads.
import type { TargetFormatName } from '../audio/formats.ts';
import type { TaskJson, TaskOptions, TaskStatus } from '../web/schemas/task.ts';
import type { UploadJson } from '../web/schemas/upload.ts';
import { putToStorage, StorageUnreachable } from './direct-upload.ts';

/** What the API returns for one task: the server's own response schema. */
export type Task = TaskJson;
export type { TaskStatus };
export type ConversionOptions = TaskOptions;

export interface Conversion extends ConversionOptions {
  newFormat: TargetFormatName;
}

/** An error reply of the API, {statusCode, error, message}, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'cct.token';
const USER_KEY = 'cct.username';

/** Kept in sessionStorage: gone when the tab closes, never shared between tabs. */
export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  username: () => sessionStorage.getItem(USER_KEY) ?? '',
  save(token: string, username: string) {
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, username);
  },
  forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  },
};

/** Called when the API says the token is missing or expired (a 401 on an authenticated call). */
let onUnauthorized: (message: string) => void = () => {};
export const whenUnauthorized = (handler: (message: string) => void) => {
  onUnauthorized = handler;
};

function authHeader(): Record<string, string> {
  const token = session.token();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function errorFrom(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { message?: unknown } | null;
  const message = typeof body?.message === 'string' ? body.message : `The server answered ${response.status} ${response.statusText}`;
  return new ApiError(response.status, message);
}

async function send(path: string, init: RequestInit & { authenticated?: boolean } = {}): Promise<Response> {
  const { authenticated = true, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(path, { ...rest, headers: { ...(authenticated ? authHeader() : {}), ...(rest.headers as Record<string, string> | undefined) } });
  } catch {
    throw new ApiError(0, 'The service cannot be reached; check your connection and try again');
  }
  if (response.ok || response.status === 304) return response; // 304: the caller sent If-None-Match
  const error = await errorFrom(response);
  if (authenticated && response.status === 401) onUnauthorized(error.message);
  throw error;
}

const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

export async function signUp(fields: { username: string; email: string; password1: string; password2: string }): Promise<void> {
  await send('/api/auth/signup', { method: 'POST', authenticated: false, ...json(fields) });
}

export async function logIn(username: string, password: string): Promise<string> {
  const response = await send('/api/auth/login', { method: 'POST', authenticated: false, ...json({ username, password }) });
  return ((await response.json()) as { token: string }).token;
}

/**
 * The list, newest first; null when it has not changed since the answer tagged `etag` (304).
 * The tag is handled here, so the browser's own cache is bypassed.
 */
export async function listTasks(etag?: string): Promise<{ tasks: Task[]; etag: string | null } | null> {
  const response = await send('/api/tasks?order=1', { cache: 'no-store', headers: etag ? { 'if-none-match': etag } : {} });
  if (response.status === 304) return null;
  return { tasks: (await response.json()) as Task[], etag: response.headers.get('etag') };
}

/** GET /api/tasks/events, the stream of the caller's task changes (task-events.ts reads it). */
export const openTaskEvents = (signal: AbortSignal) => send('/api/tasks/events', { signal, headers: { accept: 'text/event-stream' } });

export async function convertAgain(id: number, conversion: Conversion): Promise<Task> {
  return (await send(`/api/tasks/${id}`, { method: 'PUT', ...json(conversion) })).json() as Promise<Task>;
}

export async function deleteTask(id: number): Promise<void> {
  await send(`/api/tasks/${id}`, { method: 'DELETE' });
}

export async function getTask(id: number): Promise<Task> {
  return (await send(`/api/tasks/${id}`)).json() as Promise<Task>;
}

/**
 * Straight to S3 with presigned URLs, then the task from the upload; through the service
 * (multipart POST) when the page cannot reach S3.
 */
export async function uploadTask(file: File, conversion: Conversion, onProgress: (fraction: number) => void): Promise<Task> {
  const upload = (await (await send('/api/uploads', { method: 'POST', ...json({ fileName: file.name, size: file.size, contentType: file.type || undefined }) })).json()) as UploadJson;
  try {
    await putToStorage(upload, file, onProgress);
  } catch (error) {
    if (error instanceof StorageUnreachable) return uploadThroughService(file, conversion, onProgress);
    throw error;
  }
  return (await send('/api/tasks', { method: 'POST', ...json({ uploadId: upload.uploadId, ...conversion }) })).json() as Promise<Task>;
}

/**
 * POST /api/tasks with XMLHttpRequest, the one browser API that reports upload progress.
 * The fields go before the file so that the server can refuse bad options before reading it.
 */
function uploadThroughService(file: File, conversion: Conversion, onProgress: (fraction: number) => void): Promise<Task> {
  const form = new FormData();
  for (const [name, value] of Object.entries(conversion)) {
    if (value !== undefined) form.append(name, String(value));
  }
  form.append('fileName', file, file.name);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/tasks');
    for (const [name, value] of Object.entries(authHeader())) request.setRequestHeader(name, value);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      const body = request.response as (Task & { message?: string }) | null;
      if (request.status === 201 && body) return resolve(body);
      const error = new ApiError(request.status, typeof body?.message === 'string' ? body.message : `The server answered ${request.status}`);
      if (request.status === 401) onUnauthorized(error.message);
      reject(error);
    });
    request.addEventListener('error', () => reject(new ApiError(0, 'The upload was interrupted; check your connection and try again')));
    request.send(form);
  });
}

/**
 * Saves a task's file through its presigned S3 URL (fresh from GET /api/tasks/:id): S3 sends
 * it as an attachment under its name, and the page never holds the bytes.
 */
export async function download(id: number, which: 'original' | 'converted'): Promise<void> {
  const url = (await getTask(id)).urls?.[which];
  if (!url) throw new ApiError(409, 'There is no such file yet');
  const link = document.createElement('a');
  link.href = url;
  document.body.append(link);
  link.click();
  link.remove();
}

// The API as the benchmark uses it: one signed-up user per scenario, uploads, and waiting for results.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileUpload } from '../fixtures/generated-upload.ts';

interface TaskState {
  id: number;
  status: string;
  finishedAt: string | null;
  statusReason: string | null;
}

const PASSWORD = '%%MisO1234';
let users = 0;

export async function newUser(base: string) {
  const username = `bench${Date.now()}_${users++}`;
  const json = { 'content-type': 'application/json' };
  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers: json, body: JSON.stringify({ username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD }) });
  if (signup.status !== 201) throw new Error(`signup: ${await signup.text()}`);
  const { id: userId } = (await signup.json()) as { id: number };
  const login = (await (await fetch(`${base}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string };
  const authorization = `Bearer ${login.token}`;

  async function created(response: Response): Promise<TaskState> {
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
    return (await response.json()) as TaskState;
  }
  const get = async <T>(path: string) => (await (await fetch(`${base}${path}`, { headers: { authorization } })).json()) as T;

  return {
    base,
    userId,
    authorization,
    /** Uploads a file held in memory. */
    async upload(bytes: Buffer, fileName: string, newFormat: string): Promise<TaskState> {
      const form = new FormData();
      form.append('newFormat', newFormat);
      form.append('fileName', new Blob([new Uint8Array(bytes)]), fileName);
      return created(await fetch(`${base}/api/tasks`, { method: 'POST', headers: { authorization }, body: form }));
    },
    /** Uploads a file streamed from disk. */
    async uploadFile(path: string, newFormat: string): Promise<TaskState> {
      const upload = fileUpload(path, path.split('/').pop()!, newFormat);
      return created(await fetch(`${base}/api/tasks`, { method: 'POST', ...upload, headers: { ...upload.headers, authorization } }));
    },
    /** Polls one task every `intervalMs` until it is processed; throws if it fails. */
    async processed(id: number, intervalMs = 20): Promise<TaskState> {
      for (;;) {
        const task = await get<TaskState>(`/api/tasks/${id}`);
        if (task.status === 'processed') return task;
        if (task.status === 'failed') throw new Error(`task ${id} failed: ${task.statusReason}`);
        await sleep(intervalMs);
      }
    },
    /** Waits until `count` of this user's tasks are processed. */
    async allProcessed(count: number): Promise<void> {
      for (;;) {
        const statuses = (await get<TaskState[]>('/api/tasks?max=1000')).map((t) => t.status);
        if (statuses.includes('failed')) throw new Error('a benchmark conversion failed');
        if (statuses.filter((s) => s === 'processed').length >= count) return;
        await sleep(200);
      }
    },
  };
}

export type User = Awaited<ReturnType<typeof newUser>>;

/** Uploads `files` copies of input, `parallel` at a time. */
export async function uploadCopies(user: User, input: string, newFormat: string, files: number, parallel: number): Promise<void> {
  const bytes = await readFile(input);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < files) {
      next++;
      await user.upload(bytes, input.split('/').pop()!, newFormat);
    }
  }));
}

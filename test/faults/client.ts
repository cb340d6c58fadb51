// The original client's flow over real HTTP (sign up, log in, upload, poll, download),
// counting every 5xx the service answers and timing each step.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export const PASSWORD = '%%MisO1234';

export class ApiClient {
  http5xx = 0;
  token = '';
  /** Milliseconds of each step, by step name, for percentiles. */
  readonly steps = new Map<string, number[]>();
  username = `f_${randomBytes(6).toString('hex')}`;

  constructor(readonly base: string) {}

  get email() {
    return `${this.username}@example.com`;
  }

  async request(path: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.token) headers.set('authorization', `Bearer ${this.token}`);
    const response = await fetch(`${this.base}${path}`, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status >= 500) this.http5xx += 1;
    return response;
  }

  record(step: string, ms: number): void {
    if (!this.steps.has(step)) this.steps.set(step, []);
    this.steps.get(step)!.push(ms);
  }

  async timed<T>(step: string, call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await call();
    } finally {
      this.record(step, Date.now() - started);
    }
  }

  async signUpAndLogIn(): Promise<void> {
    const form = (fields: Record<string, string>) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      return body;
    };
    const signup = await this.timed('sign up', () => this.request('/api/auth/signup', { method: 'POST', body: form({ username: this.username, email: this.email, password1: PASSWORD, password2: PASSWORD }) }));
    if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
    const login = await this.timed('log in', () => this.request('/api/auth/login', { method: 'POST', body: form({ username: this.username, password: PASSWORD }) }));
    if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
    this.token = ((await login.json()) as { token: string }).token;
  }

  /** POST /api/tasks as the original client sends it; returns the response, whatever its status. */
  upload(file: Buffer, fileName: string, newFormat: string): Promise<Response> {
    const body = new FormData();
    body.append('newFormat', newFormat);
    body.append('fileName', new Blob([new Uint8Array(file)]), fileName);
    return this.request('/api/tasks', { method: 'POST', body });
  }

  async task(id: number): Promise<{ id: number; status: string; statusReason: string | null; version?: number; targetFormat: string; outputBytes: number | null }> {
    const response = await this.request(`/api/tasks/${id}`);
    if (response.status !== 200) throw new Error(`GET task ${id}: ${response.status}`);
    return (await response.json()) as never;
  }

  /** Polls until the task is processed or failed. */
  async waitFinal(id: number, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.task(id).catch(() => null);
      if (task && (task.status === 'processed' || task.status === 'failed')) return task;
      if (Date.now() > deadline) throw new Error(`task ${id} not final after ${timeoutMs} ms (${task?.status})`);
      await sleep(200);
    }
  }
}

/** The p-th percentile (0–100) of durations in ms. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

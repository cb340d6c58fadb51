// What a user does, through the replica's published nginx port only: sign up, log in, upload
// (through the API, or straight to S3 with presigned URLs), wait for the conversion, download
// and probe the result.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const PASSWORD = '%%MisO1234';
const dir = mkdtempSync(join(tmpdir(), 'cct-replica-smoke-'));

export interface Task {
  id: number;
  fileName: string;
  status: string;
  statusReason: string | null;
}

/** A stereo tone of `seconds`, made by the host's ffmpeg. */
export async function tone(format: string, seconds: number): Promise<Buffer> {
  const path = join(dir, `tone-${seconds}.${format}`);
  await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-ac', '2', path]);
  return readFileSync(path);
}

/** POST /api/uploads for a file small enough for one presigned PUT. */
export interface DirectUpload {
  uploadId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
}

export class Client {
  readonly username = `replica_${randomBytes(4).toString('hex')}`;
  readonly email = `${this.username}@example.com`;
  private token = '';
  constructor(readonly base: string) {}

  private async call(method: string, path: string, body?: FormData | object, expect = 200): Promise<Response> {
    const json = body !== undefined && !(body instanceof FormData);
    const response = await fetch(`${this.base}${path}`, {
      method,
      body: json ? JSON.stringify(body) : body,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) },
    });
    if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response;
  }

  private static form(fields: Record<string, string | [Buffer, string]>): FormData {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, new Blob([new Uint8Array(value[0])]), value[1]);
    }
    return form;
  }

  async signUpAndLogIn(): Promise<void> {
    await this.call('POST', '/api/auth/signup', Client.form({ username: this.username, email: this.email, password1: PASSWORD, password2: PASSWORD }), 201);
    const login = await this.call('POST', '/api/auth/login', Client.form({ username: this.username, password: PASSWORD }));
    this.token = ((await login.json()) as { token: string }).token;
  }

  async upload(file: Buffer, fileName: string, newFormat: string): Promise<Task> {
    return (await (await this.call('POST', '/api/tasks', Client.form({ newFormat, fileName: [file, fileName] }), 201)).json()) as Task;
  }

  async newUpload(fileName: string, size: number, contentType: string): Promise<DirectUpload> {
    return (await (await this.call('POST', '/api/uploads', { fileName, size, contentType }, 201)).json()) as DirectUpload;
  }

  /** The task for a file put into S3 with newUpload's URL. */
  async taskFromUpload(uploadId: string, newFormat: string): Promise<Task> {
    return (await (await this.call('POST', '/api/tasks', { uploadId, newFormat }, 201)).json()) as Task;
  }

  /** Wrong-password logins until the auth rate limit answers 429; returns how many got through before it. */
  async loginsUntilLimited(max: number): Promise<number> {
    for (let i = 0; i < max; i++) {
      const response = await fetch(`${this.base}/api/auth/login`, { method: 'POST', body: Client.form({ username: this.username, password: 'wrong' }) });
      await response.arrayBuffer();
      if (response.status === 429) return i;
      if (response.status !== 401) throw new Error(`a wrong password: ${response.status}, not 401 or 429`);
    }
    return max;
  }

  async tasks(): Promise<Task[]> {
    return (await (await this.call('GET', '/api/tasks')).json()) as Task[];
  }

  async task(id: number): Promise<Task> {
    return (await (await this.call('GET', `/api/tasks/${id}`)).json()) as Task;
  }

  /** Waits until the task is processed; throws if it failed or took longer than timeoutMs. */
  async processed(id: number, timeoutMs: number): Promise<Task> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.task(id);
      if (task.status === 'processed') return task;
      if (task.status === 'failed') throw new Error(`task ${id} failed: ${task.statusReason}`);
      if (Date.now() > deadline) throw new Error(`task ${id} still ${task.status} after ${timeoutMs / 1000} s`);
      await sleep(250);
    }
  }

  /** Downloads the converted file and returns what ffprobe reads in it. */
  async probeConverted(id: number): Promise<{ codec: string; duration: number }> {
    const bytes = Buffer.from(await (await this.call('GET', `/api/tasks/${id}/converted`)).arrayBuffer());
    const path = join(dir, `converted-${id}`);
    writeFileSync(path, bytes);
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', path]);
    const info = JSON.parse(stdout) as { streams: Array<{ codec_name: string }>; format: { duration: string } };
    return { codec: info.streams[0]?.codec_name ?? '', duration: Number(info.format.duration) };
  }
}

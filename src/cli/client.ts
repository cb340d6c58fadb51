// The API as the CLI uses it. Every failure becomes a CliError with a one-line message:
// the API's own message when it answered, else what went wrong with the connection.
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { request } from 'undici';
import type { TaskJson } from '../web/schemas/task.ts';

export class CliError extends Error {
  override name = 'CliError';
}

type Body = Parameters<typeof request>[1] extends infer O ? (O extends { body?: infer B } ? B : never) : never;

export function createClient(baseUrl: string, token?: string) {
  async function call(method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: Body; headers?: Record<string, string> } = {}) {
    let response;
    try {
      response = await request(`${baseUrl}${path}`, {
        method,
        body: options.body,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
        headersTimeout: 60_000,
      });
    } catch (error) {
      const e = error as { code?: string; message: string };
      throw new CliError(`cannot reach ${baseUrl} (${e.code ?? e.message}); is the service running, and is CCT_URL right?`);
    }
    if (response.statusCode >= 400) {
      const text = await response.body.text();
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON (a proxy's page): show the start of it
      }
      throw new CliError(message);
    }
    return response;
  }

  const json = async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<T> => {
    const response = await call(method, path, payload === undefined ? {} : { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    return (response.statusCode === 204 ? undefined : await response.body.json()) as T;
  };

  return {
    login: (username: string, password: string) => json<{ token: string }>('POST', '/api/auth/login', { username, password }),
    createKey: (name: string) => json<{ key: string; prefix: string }>('POST', '/api/keys', { name }),
    listTasks: () => json<TaskJson[]>('GET', '/api/tasks?order=1&max=1000'),
    task: (id: number) => json<TaskJson>('GET', `/api/tasks/${id}`),
    deleteTask: (id: number) => json<void>('DELETE', `/api/tasks/${id}`),

    /** POST /api/tasks as multipart, streaming the file; onProgress gets the bytes of the file sent so far. */
    async upload(file: string, fields: Record<string, string>, onProgress: (sent: number, total: number) => void): Promise<TaskJson> {
      const size = (await stat(file)).size;
      const boundary = `cct-${randomBytes(12).toString('hex')}`;
      const head =
        Object.entries(fields)
          .map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
          .join('') +
        `--${boundary}\r\ncontent-disposition: form-data; name="fileName"; filename="${basename(file).replace(/["\r\n\\]/g, "_")}"\r\ncontent-type: application/octet-stream\r\n\r\n`;
      const tail = `\r\n--${boundary}--\r\n`;
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
          sent += chunk.length;
          onProgress(sent, size);
          callback(null, chunk);
        },
      });
      const body = Readable.from(
        (async function* () {
          yield Buffer.from(head);
          yield* createReadStream(file).pipe(counter);
          yield Buffer.from(tail);
        })(),
      );
      const length = Buffer.byteLength(head) + size + Buffer.byteLength(tail);
      const response = await call('POST', '/api/tasks', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) } });
      return (await response.body.json()) as TaskJson;
    },

    /** The converted file as a stream. */
    async download(id: number): Promise<Readable> {
      return (await call('GET', `/api/tasks/${id}/converted`)).body;
    },
  };
}

export type Client = ReturnType<typeof createClient>;

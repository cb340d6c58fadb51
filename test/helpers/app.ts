// Builds the real web app against the run's PostgreSQL and emulators, and signs users up through the API.
import { randomBytes } from 'node:crypto';
import type { Test } from 'tap';
import type { Config } from '../../src/config.ts';
import { buildApp } from '../../src/web/app.ts';
import { testConfig } from './env.ts';

export type App = Awaited<ReturnType<typeof buildApp>>;

export async function build(t: Test, overrides: Partial<Record<keyof Config, string>> = {}): Promise<App> {
  const app = await buildApp(testConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000', ...overrides }), { logger: overrides.LOG_LEVEL ? undefined : false });
  t.teardown(() => app.close());
  return app;
}

export const PASSWORD = '%%MisO1234';

export interface TestUser {
  id: number;
  username: string;
  token: string;
  headers: { authorization: string };
}

export async function signUp(app: App): Promise<TestUser> {
  const username = `user_${randomBytes(5).toString('hex')}`;
  const signup = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    payload: { username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD },
  });
  if (signup.statusCode !== 201) throw new Error(`signup failed: ${signup.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  const { token } = login.json<{ token: string }>();
  return { id: signup.json<{ id: number }>().id, username, token, headers: { authorization: `Bearer ${token}` } };
}

/** A multipart body in the given field order, as a browser's FormData would send it. */
export async function multipart(parts: Array<[string, string] | [string, Buffer, string]>) {
  const form = new FormData();
  for (const [name, value, fileName] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)]), fileName);
  }
  const response = new Response(form);
  return { payload: Buffer.from(await response.arrayBuffer()), headers: { 'content-type': response.headers.get('content-type')! } };
}

/** POST /api/tasks as a multipart form, with the user's token. */
export async function postUpload(app: App, user: TestUser, parts: Parameters<typeof multipart>[0]) {
  const body = await multipart(parts);
  return app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, ...body.headers }, payload: body.payload });
}

/** Uploads one file and returns the new task's id; throws unless the API answered 201. */
export async function uploadTask(app: App, user: TestUser, file: Buffer, fileName: string, fields: Array<[string, string]>): Promise<number> {
  const response = await postUpload(app, user, [...fields, ['fileName', file, fileName]]);
  if (response.statusCode !== 201) throw new Error(response.body);
  return response.json<{ id: number }>().id;
}

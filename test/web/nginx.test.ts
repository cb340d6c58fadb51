// Through nginx in front of the real web processes, as users reach the service.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { generatedUpload } from '../../fixtures/generated-upload.ts';
import { findNginx } from '../../src/dev/nginx.ts';
import { startTestStack } from '../helpers/stack.ts';
import { PASSWORD } from '../helpers/app.ts';

const MiB = 1024 * 1024;

/** Peak resident memory (VmHWM) of a process, in MiB. */
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

t.test('through nginx', { skip: findNginx() ? false : 'nginx is not installed' }, async (t) => {
  const stack = await startTestStack(t);
  const base = stack.urls.nginx!;

  const username = `nginx_${Date.now()}`;
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    body: new URLSearchParams({ username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD }),
  });
  t.equal(signup.status, 201);
  const { token } = (await (await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) })).json()) as { token: string };

  t.test('an upload without a token gets 401, not 502', async (t) => {
    const response = await fetch(`${base}/api/tasks`, { method: 'POST', ...generatedUpload(8 * MiB, 'a.wav') });
    t.equal(response.status, 401);
    t.match(await response.json(), { statusCode: 401, message: /Log in first/ });
  });

  t.test('a 50 MB upload streams through', async (t) => {
    const upload = generatedUpload(50 * MiB, 'fifty.wav');
    const response = await fetch(`${base}/api/tasks`, { method: 'POST', ...upload, headers: { ...upload.headers, authorization: `Bearer ${token}` } });
    t.equal(response.status, 201, await response.clone().text());
    t.match(await response.json(), { fileName: 'fifty.wav', inputBytes: 50 * MiB, status: 'uploaded' });
  });

  t.test('a 200 MB upload does not grow the web process by its size', async (t) => {
    const webPids = Object.entries(stack.pids).filter(([label]) => label.startsWith('web:')).map(([, pid]) => pid);
    const before = webPids.map(peakRssMb);
    const upload = generatedUpload(200 * MiB, 'big.wav');
    const response = await fetch(`${base}/api/tasks`, { method: 'POST', ...upload, headers: { ...upload.headers, authorization: `Bearer ${token}` } });
    t.equal(response.status, 201);
    const growth = Math.max(...webPids.map((pid, i) => peakRssMb(pid) - before[i]!));
    t.ok(growth < 100, `peak RSS grew by ${growth.toFixed(0)} MiB during a 200 MiB upload (buffering would add ≥ 200)`);
  });
});

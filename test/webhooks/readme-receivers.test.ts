// The README's receivers, run as written: the Node server and the Python function verify a
// delivery made by the service's own sender, and refuse a tampered one.
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { newSecret } from '../../src/webhooks/endpoints.ts';
import { createSender } from '../../src/webhooks/send.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { waitFor } from '../helpers/worker.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const readme = await readFile(`${ROOT}README.md`, 'utf8');
const block = (language: string, after: string) => new RegExp(`${after}[\\s\\S]*?\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme)![1]!;

function run(command: string, args: string[], env: Record<string, string> = {}, input = '') {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, output: () => output };
}

t.test('a real delivery verifies with both README receivers; a tampered one does not', async (t) => {
  const secret = newSecret();
  const capture = await startReceiver(t);
  const sender = createSender({ allowPrivate: true, timeoutMs: 5000 });
  t.teardown(() => sender.close());
  const body = JSON.stringify({ type: 'task.processed', timestamp: new Date().toISOString(), data: { id: 7, status: 'processed' } });
  t.match(await sender.send({ url: capture.url, secret, messageId: 'msg_readme', body }), { ok: true });
  const { headers } = capture.received[0]!;
  const signed = { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) };
  const tampered = body.replace('"id":7', '"id":8');

  t.test('Node', async (t) => {
    const [port] = (await freePorts(1)) as [number];
    const server = run(process.execPath, ['--input-type=module', '-e', block('js', 'Verify it in Node').replace('listen(4000)', `listen(${port})`)], { WEBHOOK_SECRET: secret });
    t.teardown(() => server.child.kill());
    const post = (payload: string) => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: signed, body: payload }).then((r) => r.status, () => 0);
    t.equal(await waitFor('the README server', async () => (await post(body)) || null, 20_000), 204, 'verified');
    t.equal(await post(tampered), 400, 'tampered: refused');
    t.match(server.output(), 'task.processed 7 processed');
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  t.test('Python', { skip: python ? false : 'python3 is not installed' }, async (t) => {
    const check = `${block('python', 'and in Python')}\nimport json, sys\nd = json.load(sys.stdin)\nverify(d["secret"], d["headers"], d["body"].encode())\nprint("verified")\n`;
    const good = run('python3', ['-c', check], {}, JSON.stringify({ secret, headers: signed, body }));
    t.equal(await good.exited, 0, good.output());
    t.match(good.output(), 'verified');
    const bad = run('python3', ['-c', check], {}, JSON.stringify({ secret, headers: signed, body: tampered }));
    t.equal(await bad.exited, 1);
    t.match(bad.output(), 'ValueError: wrong signature');
  });
});

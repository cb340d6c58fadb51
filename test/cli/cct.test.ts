// The command-line client as a person runs it (node bin/cct.js, what `npx cct` runs), against
// the whole embedded stack: nginx (when installed), two web processes and a worker.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PASSWORD } from '../helpers/app.ts';
import { audioBytes, probe } from '../helpers/audio.ts';
import { startTestStack } from '../helpers/stack.ts';

const BIN = new URL('../../bin/cct.js', import.meta.url).pathname;

t.test('cct login, convert, ls, rm', async (t) => {
  const stack = await startTestStack(t);
  const base = stack.urls.nginx ?? Object.entries(stack.urls).find(([label]) => label.startsWith('web:'))![1];
  const username = `cli_${Date.now()}`;
  const signup = await fetch(`${base}/api/auth/signup`, { method: 'POST', body: new URLSearchParams({ username, email: `${username}@example.com`, password1: PASSWORD, password2: PASSWORD }) });
  t.equal(signup.status, 201);

  const dir = await mkdtemp(join(tmpdir(), 'cct-cli-'));
  const baseEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), CCT_URL: base, CCT_POLL_MS: '200' };
  const cct = (args: string[], { input = '', env = {} }: { input?: string; env?: Record<string, string> } = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...baseEnv, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.stdin.end(input);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const lines = (text: string) => text.split('\n').filter(Boolean);

  t.test('login stores an API key, and only that, in the config directory', async (t) => {
    const wrong = await cct(['login'], { input: `${username}\nnot-the-password\n` });
    t.equal(wrong.code, 1);
    t.same(lines(wrong.stderr), ['cct: Wrong username or password']);
    const ok = await cct(['login'], { input: `${username}\n${PASSWORD}\n` });
    t.equal(ok.code, 0, ok.stderr);
    t.match(ok.stdout, `Logged in to ${base} as ${username}`);
    const file = join(dir, 'config', 'cct', 'config.json');
    t.equal((await stat(file)).mode & 0o777, 0o600, 'readable by the user only');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    t.match(saved, { url: base, apiKey: /^cct_/ });
    t.notOk(JSON.stringify(saved).includes(PASSWORD), 'the password is not kept');
  });

  t.test('convert: several files at once, results next to them, one line and exit 1 per failure', async (t) => {
    await writeFile(join(dir, 'one.wav'), await audioBytes('wav', 2));
    await writeFile(join(dir, 'two.wav'), await audioBytes('wav', 3));
    await writeFile(join(dir, 'broken.wav'), Buffer.from('no audio in here '.repeat(40)));
    await writeFile(join(dir, 'notes.txt'), 'hello');
    const run = await cct(['convert', 'one.wav', 'two.wav', 'broken.wav', 'notes.txt', '--to', 'mp3', '--bitrate', '128']);
    t.equal(run.code, 1, 'some files failed');
    t.same(lines(run.stdout).sort(), ['one.wav → one.mp3', 'two.wav → two.mp3']);
    const errors = lines(run.stderr);
    t.equal(errors.length, 2, run.stderr);
    t.match(errors.find((l) => l.includes('broken.wav')), /^cct: broken\.wav: conversion failed: .+/);
    t.match(errors.find((l) => l.includes('notes.txt')), /^cct: notes\.txt: "notes\.txt" is not an audio file/);
    for (const [name, seconds] of [['one.mp3', 2], ['two.mp3', 3]] as const) {
      const info = await probe(join(dir, name));
      t.equal(info.codec, 'mp3', name);
      t.equal(info.bitRate, 128000, `${name} at --bitrate 128`);
      t.ok(Math.abs(info.duration - seconds) < 0.1, `${name} lasts ${info.duration} s`);
    }

    const again = await cct(['convert', 'one.wav', '--to', 'mp3']);
    t.equal(again.code, 0, again.stderr);
    t.same(lines(again.stdout), ['one.wav → one (2).mp3'], 'an existing file is not overwritten');
    t.ok((await readdir(dir)).includes('one (2).mp3'));

    const usage = await cct(['convert', 'one.wav']);
    t.equal(usage.code, 2);
    t.match(usage.stderr, /^cct: cct convert needs --to FORMAT/);
    const badFormat = await cct(['convert', 'one.wav', '--to', 'xyz']);
    t.equal(badFormat.code, 1);
    t.match(badFormat.stderr, /^cct: one\.wav: newFormat "xyz" is not supported/);
  });

  t.test('ls lists newest first; rm deletes, and says which ids it could not', async (t) => {
    const listed = await cct(['ls']);
    t.equal(listed.code, 0, listed.stderr);
    const rows = lines(listed.stdout);
    t.match(rows[0], /^\d+\s+processed\s+one\.wav → mp3 {2}\(files until \d{4}-\d\d-\d\d \d\d:\d\d\)$/);
    t.ok(rows.some((r) => /failed\s+broken\.wav/.test(r)));
    const id = rows[0]!.split(' ')[0]!;
    const removed = await cct(['rm', id, '999999999', 'abc']);
    t.equal(removed.code, 1);
    t.same(lines(removed.stdout), [`deleted ${id}`]);
    t.same(lines(removed.stderr), ['cct: rm 999999999: Task 999999999 was not found', 'cct: rm abc: "abc" is not a task id; see cct ls']);
    t.notOk(lines((await cct(['ls'])).stdout).some((r) => r.startsWith(`${id} `)));
  });

  t.test('CCT_API_KEY and CCT_URL override the saved settings', async (t) => {
    const badKey = await cct(['ls'], { env: { CCT_API_KEY: 'cct_revoked-or-never-issued' } });
    t.equal(badKey.code, 1);
    t.same(lines(badKey.stderr), ['cct: The API key is not valid or was revoked; create one with POST /api/keys']);
    const nowhere = await cct(['ls'], { env: { CCT_URL: 'http://127.0.0.1:9' } });
    t.equal(nowhere.code, 1);
    t.match(nowhere.stderr, /^cct: cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
    const fresh = await cct(['ls'], { env: { XDG_CONFIG_HOME: join(dir, 'nothing-here') } });
    t.same(lines(fresh.stderr), ['cct: not logged in: run `cct login`, or set CCT_API_KEY']);
  });
});

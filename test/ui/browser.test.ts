// The web UI end to end: headless Chromium, through nginx, in front of the real stack
// (two web processes, a worker, the emulators). Saves the screenshots of docs/ui.md.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Locator, type Page, type Response } from 'playwright-core';
import t from 'tap';
import { findNginx } from '../../src/dev/nginx.ts';
import { PASSWORD } from '../helpers/app.ts';
import { audioBytes, probe } from '../helpers/audio.ts';
import { startTestStack } from '../helpers/stack.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The committed screenshots are rewritten only when asked (UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? new URL('../../docs/screenshots/', import.meta.url).pathname
  : mkdtempSync(join(tmpdir(), 'cct-screenshots-'));
const CONVERSION_MS = 90_000;

const skip = !existsSync(CHROMIUM) ? `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)` : !findNginx() ? 'nginx is not installed' : false;

/** The list item of the task converting `fileName` (its accessible name is "<file> to <format>"). */
const taskRow = (page: Page, fileName: string) => page.getByRole('listitem', { name: new RegExp(`^${fileName.replace(/\./g, '\\.')} to `) });

/** Waits until the row says `status` on its own (from the event stream, or polls without it). */
async function waitForStatus(row: Locator, status: string) {
  await row.locator('.status').filter({ hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: CONVERSION_MS });
}

t.test('web UI in Chromium', { skip }, async (t) => {
  const stack = await startTestStack(t);
  const base = stack.urls.nginx!;
  const s3 = new URL(stack.env.AWS_ENDPOINT_URL!).origin;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.teardown(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1100, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Our own problems only: a script error, or a Content-Security-Policy violation.
  const pageProblems: string[] = [];
  page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) pageProblems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => void dialog.accept()); // "Delete …?"
  // Which requests carried files: straight to S3, or to the service.
  const sent: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin === s3 && request.method() !== 'GET') sent.push(`S3 ${request.method()} ${url.searchParams.has('partNumber') ? 'part' : url.searchParams.has('uploadId') ? 'complete' : 'object'}`);
    if (url.pathname === '/api/tasks' && request.method() === 'POST') sent.push(`service POST ${request.headers()['content-type']?.split(';')[0]}`);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const downloads = mkdtempSync(join(tmpdir(), 'cct-ui-downloads-'));
  const username = `ui_${Date.now()}`;
  const signupForm = page.getByRole('form', { name: 'Create an account' });
  const loginForm = page.getByRole('form', { name: 'Log in' });

  await t.test('the page is served at / with a strict CSP', async (t) => {
    const response = await page.goto(base);
    t.equal(response?.status(), 200);
    t.equal(response?.headers()['content-security-policy'], `default-src 'self'; connect-src 'self' ${s3}; media-src 'self' ${s3}`, 'S3 is the one other origin');
    await loginForm.waitFor();
    t.ok(await signupForm.isVisible(), 'sign-up form shown when logged out');
    await page.screenshot({ path: join(SCREENSHOTS, 'login.png') });
  });

  await t.test('sign-up errors appear next to the field they concern', async (t) => {
    await signupForm.getByLabel('Username', { exact: true }).fill(username);
    await signupForm.getByLabel('Email').fill(`${username}@example.com`);
    await signupForm.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signupForm.getByLabel('Repeat the password').fill(`${PASSWORD}x`);
    await signupForm.getByRole('button', { name: 'Sign up' }).click();
    const repeat = signupForm.getByLabel('Repeat the password');
    await page.locator('#signup-password2-error').filter({ hasText: 'password1 and password2 do not match' }).waitFor();
    t.equal(await repeat.getAttribute('aria-invalid'), 'true');
    t.match(await repeat.getAttribute('aria-describedby'), /signup-password2-error/, 'the message is the field’s description');
    t.ok(await repeat.evaluate((node) => node === document.activeElement), 'focus moves to the field');
    t.equal(await page.locator('#signup-password1-error').count(), 0, 'no message on the other fields');

    await signupForm.getByLabel('Password', { exact: true }).fill('short');
    await repeat.fill('short');
    await signupForm.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('#signup-password1-error').filter({ hasText: /The password needs at least 8 characters/ }).waitFor();
    t.equal(await repeat.getAttribute('aria-invalid'), null, 'the previous error is cleared');
  });

  await t.test('a wrong password is refused at log-in', async (t) => {
    await loginForm.getByLabel('Username or email').fill(username);
    await loginForm.getByLabel('Password').fill('not the password');
    await loginForm.getByRole('button', { name: 'Log in' }).click();
    await loginForm.locator('.form-error').filter({ hasText: 'Wrong username or password' }).waitFor();
    t.pass('"Wrong username or password" shown under the log-in form');
  });

  await t.test('signing up logs in', async (t) => {
    await signupForm.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signupForm.getByLabel('Repeat the password').fill(PASSWORD);
    await signupForm.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText(`Logged in as ${username}`).waitFor();
    t.ok(await page.getByRole('heading', { name: 'Your conversions' }).isVisible());
    t.ok(await page.evaluate(() => sessionStorage.getItem('cct.token')), 'the token is kept in sessionStorage');
    await page.getByText('Nothing here yet').waitFor();
    t.pass('an empty list says so');
  });

  await t.test('two files upload straight to S3 with a progress bar each, then convert while the page follows the event stream', async (t) => {
    // The list cannot be loaded meanwhile: the new rows and their progress can only come from the stream.
    const isList = (url: URL) => url.pathname === '/api/tasks' && url.origin === new URL(base).origin;
    await page.route(isList, (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));
    const upload = page.getByRole('form', { name: 'Convert audio files' });
    // 60 s of wav is 10.6 MB, above the stack's UPLOAD_PART_BYTES (8 MiB): it goes in two parts.
    await upload.getByLabel('Audio files').setInputFiles([
      { name: 'first.wav', mimeType: 'audio/wav', buffer: await audioBytes('wav', 2) },
      { name: 'second.wav', mimeType: 'audio/wav', buffer: await audioBytes('wav', 60) },
    ]);
    await page.evaluate(() => {
      const seen: number[] = ((window as unknown as { progressSeen: number[] }).progressSeen = []);
      new MutationObserver((changes) => {
        for (const change of changes) seen.push(Number((change.target as HTMLProgressElement).value));
      }).observe(document.getElementById('uploads')!, { subtree: true, attributes: true, attributeFilter: ['value'] });
    });
    await upload.getByLabel('Target format').selectOption('mp3');
    await upload.getByLabel('Bitrate (kbit/s)').fill('128');
    await upload.getByLabel('Sample rate (Hz)').selectOption('22050');
    await upload.getByLabel('Channels').selectOption('1');
    await upload.getByRole('button', { name: 'Upload and convert' }).click();
    for (const name of ['first.wav', 'second.wav']) {
      const bar = page.getByRole('progressbar', { name: `Upload of ${name}` });
      await page.locator('.upload.ok', { hasText: name }).waitFor();
      t.equal(await bar.evaluate((node) => (node as HTMLProgressElement).value), 1, `${name}: the bar is full`);
    }
    const progress = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    t.ok(progress.some((value) => value > 0 && value < 1), `the bars moved through values between 0 and 1 (${progress.length} updates)`);
    t.same(sent.filter((r) => r.startsWith('S3')).sort(), ['S3 POST complete', 'S3 PUT object', 'S3 PUT part', 'S3 PUT part'], 'one PUT, two parts and the complete call went to S3');
    t.same(sent.filter((r) => r.startsWith('service')), ['service POST application/json', 'service POST application/json'], 'the service only made the tasks');
    for (const name of ['first.wav', 'second.wav']) await waitForStatus(taskRow(page, name), 'Done');
    await page.unroute(isList);
    await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === '/api/tasks'), page.getByRole('button', { name: 'Refresh' }).click()]);
    // The page renders the answer after the response event, and an aborted load may still be reporting.
    await page.waitForFunction(() => document.getElementById('tasks-error')?.textContent === '', undefined, { timeout: 10_000 }).catch(() => {});
    t.equal(await page.locator('#tasks-error').textContent(), '', 'the list loads again');
    const first = taskRow(page, 'first.wav');
    t.match(await first.textContent(), /128 kbit\/s, 22050 Hz, mono/, 'options shown');
    t.match(await first.textContent(), /0:02/, 'duration shown');
    t.match(await first.textContent(), /KB → \d/, 'input and output sizes shown');
    t.match(await first.textContent(), /Fileskept until /, 'when the files expire is shown');
    // The two uploads ran at once, so either may have the higher id: compare with the API's order.
    const token = await page.evaluate(() => sessionStorage.getItem('cct.token'));
    const listed = (await (await fetch(`${base}/api/tasks?order=1`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ fileName: string }>;
    t.same(await page.locator('li.task .file').allTextContents(), listed.map((task) => task.fileName), 'newest first, as the API lists them');
    await page.screenshot({ path: join(SCREENSHOTS, 'tasks.png') });
  });

  await t.test('the result plays in the page from its presigned URL', async (t) => {
    const row = taskRow(page, 'first.wav');
    await row.getByRole('button', { name: 'Play' }).click();
    const player = row.getByLabel('Result of first.wav');
    const played = await player.evaluate(
      (audio: HTMLAudioElement) =>
        new Promise<{ src: string; duration: number }>((resolve) => {
          const done = () => resolve({ src: audio.currentSrc, duration: audio.duration });
          if (!audio.paused && audio.readyState >= 2) done();
          else audio.addEventListener('playing', done, { once: true });
        }),
    );
    t.equal(new URL(played.src).origin, s3, 'from S3');
    t.ok(Math.abs(played.duration - 2) < 0.2, `duration ${played.duration} s`);
    await player.evaluate((audio: HTMLAudioElement) => audio.pause());
  });

  await t.test('the converted file downloads under its name with the chosen options', async (t) => {
    const [download] = await Promise.all([page.waitForEvent('download'), taskRow(page, 'first.wav').getByRole('button', { name: 'Download mp3' }).click()]);
    t.equal(download.suggestedFilename(), 'first.mp3');
    const path = join(downloads, 'first.mp3');
    await download.saveAs(path);
    const info = await probe(path);
    t.match(info, { codec: 'mp3', sampleRate: 22050, channels: 1 });
    t.ok(Math.abs(info.duration - 2) < 0.2, `duration ${info.duration} s`);

    const [original] = await Promise.all([page.waitForEvent('download'), taskRow(page, 'first.wav').getByRole('button', { name: 'Download original' }).click()]);
    t.equal(original.suggestedFilename(), 'first.wav');
    await original.saveAs(join(downloads, 'first.wav'));
    t.match(await probe(join(downloads, 'first.wav')), { codec: 'pcm_s16le', channels: 2 });
  });

  await t.test('change format converts again', async (t) => {
    await taskRow(page, 'first.wav').getByRole('button', { name: 'Change format' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change format' });
    await dialog.waitFor();
    t.equal(await dialog.getByLabel('Target format').inputValue(), 'mp3', 'the dialog starts from the current target');
    t.equal(await dialog.getByLabel('Bitrate (kbit/s)').inputValue(), '128');
    await dialog.getByLabel('Target format').selectOption('flac');
    t.ok(await dialog.getByLabel('Bitrate (kbit/s)').isDisabled(), 'no bitrate for a lossless target');
    await dialog.getByRole('button', { name: 'Convert again' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = taskRow(page, 'first.wav');
    await row.getByRole('heading').filter({ hasText: /flac$/ }).waitFor();
    await waitForStatus(row, 'Done');
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Download flac' }).click()]);
    t.equal(download.suggestedFilename(), 'first.flac');
    await download.saveAs(join(downloads, 'first.flac'));
    t.match(await probe(join(downloads, 'first.flac')), { codec: 'flac', sampleRate: 22050, channels: 1 });
  });

  await t.test('when the event stream cannot be opened, the list is polled with If-None-Match', async (t) => {
    const isEvents = (url: URL) => url.pathname === '/api/tasks/events';
    await page.route(isEvents, (route) => route.abort());
    const polls: Array<{ ifNoneMatch: string | undefined; status: number }> = [];
    const onList = (response: Response) => {
      const url = new URL(response.url());
      if (url.pathname === '/api/tasks' && response.request().method() === 'GET') polls.push({ ifNoneMatch: response.request().headers()['if-none-match'], status: response.status() });
    };
    page.on('response', onList);
    await page.reload();
    const row = taskRow(page, 'first.wav');
    await row.getByRole('button', { name: 'Change format' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change format' });
    await dialog.getByLabel('Target format').selectOption('mp3');
    await dialog.getByRole('button', { name: 'Convert again' }).click();
    await row.getByRole('heading').filter({ hasText: /mp3$/ }).waitFor();
    await waitForStatus(row, 'Done');
    const [refreshed] = await Promise.all([page.waitForResponse((response) => new URL(response.url()).pathname === '/api/tasks'), page.getByRole('button', { name: 'Refresh' }).click()]);
    t.equal(refreshed.status(), 304, 'a refresh of an unchanged list is a 304');
    page.off('response', onList);
    t.ok(polls.filter((poll) => poll.ifNoneMatch).length >= 2, `the polls sent the ETag they had (${JSON.stringify(polls)})`);
    t.ok(await row.getByRole('button', { name: 'Download mp3' }).isVisible(), 'the rows stay after a 304');
    await page.unroute(isEvents);
    await page.reload();
    await row.waitFor();
  });

  await t.test('when S3 cannot be reached from the page, the upload goes through the service', async (t) => {
    await page.route((url) => url.origin === s3, (route) => route.abort());
    sent.length = 0;
    const upload = page.getByRole('form', { name: 'Convert audio files' });
    await upload.getByLabel('Audio files').setInputFiles([{ name: 'third.wav', mimeType: 'audio/wav', buffer: await audioBytes('wav', 1) }]);
    await upload.getByRole('button', { name: 'Upload and convert' }).click();
    await page.locator('.upload.ok', { hasText: 'third.wav' }).waitFor();
    await page.unroute((url) => url.origin === s3);
    t.same(sent, ['S3 PUT object', 'service POST multipart/form-data'], 'tried S3, then sent the file to the service');
    await waitForStatus(taskRow(page, 'third.wav'), 'Done');
  });

  await t.test('a file that is not audio fails with its reason', async (t) => {
    const upload = page.getByRole('form', { name: 'Convert audio files' });
    await upload.getByLabel('Audio files').setInputFiles([
      { name: 'x.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('this is not audio, only text\n'.repeat(50)) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
    ]);
    await upload.getByLabel('Target format').selectOption('ogg');
    await upload.getByRole('button', { name: 'Upload and convert' }).click();
    await page.locator('.upload.failed', { hasText: 'notes.txt' }).filter({ hasText: /not an audio file this service takes/ }).waitFor();
    t.pass('a refused upload shows the API’s reason in its row');
    const row = taskRow(page, 'x.mp3');
    await waitForStatus(row, 'Failed');
    t.match(await row.locator('.reason').textContent(), /could not be read as audio/);
    t.ok(await row.getByRole('button', { name: 'Download ogg' }).isHidden(), 'no result to download');
  });

  await t.test('delete removes the task', async (t) => {
    await taskRow(page, 'second.wav').getByRole('button', { name: 'Delete' }).click();
    await taskRow(page, 'second.wav').waitFor({ state: 'detached' });
    const token = await page.evaluate(() => sessionStorage.getItem('cct.token'));
    const tasks = (await (await fetch(`${base}/api/tasks`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<{ fileName: string }>;
    t.same(tasks.map((task) => task.fileName).sort(), ['first.wav', 'third.wav', 'x.mp3'], 'gone from the API too');
  });

  await t.test('on a phone-sized screen nothing overflows sideways', async (t) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#tasks-title').evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal scrolling');
    await page.screenshot({ path: join(SCREENSHOTS, 'phone.png') });
  });

  await t.test('log out forgets the token', async (t) => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await loginForm.waitFor();
    t.equal(await page.evaluate(() => sessionStorage.getItem('cct.token')), null);
    t.equal(await page.locator('li.task').count(), 0, 'the list is cleared');
  });

  t.same(pageProblems, [], 'no script errors and no CSP violations');
});

// Scenario 8: 200 concurrent clients run the original client's flow (sign up, log in, then
// upload, poll until processed, download, again and again) through nginx and two web
// processes. No 5xx, nothing lost, one email per task; the p95 of each step is reported.
// CI runs it for LOAD_SECONDS (20 s); FAULTS_FULL=1 runs the full 60 s.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { audioBytes } from '../helpers/audio.ts';
import { ApiClient, percentile } from './client.ts';
import { emailSpread, reportFigures } from './figures.ts';
import { startFaultStack } from './harness.ts';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? (process.env.FAULTS_FULL ? 60 : 20));
const POLL_MS = 1000;
/** Generous: with 200 clients each holding one task, a task waits behind about 200 others. */
const TASK_TIMEOUT_MS = 300_000;

t.test(`${CLIENTS} clients for ${SECONDS} s through nginx: no 5xx, nothing lost`, async (t) => {
  const stack = await startFaultStack(t, { webs: 2, nginx: true });
  await Promise.all([stack.startWorker(), stack.startWorker()]);
  const wav = await audioBytes('wav', 2);
  const clients = Array.from({ length: CLIENTS }, () => new ApiClient(stack.front!));
  const accepted: number[] = [];
  const downloaded = new Set<number>();
  const problems: string[] = [];

  async function flow(client: ApiClient, deadline: number): Promise<void> {
    await client.signUpAndLogIn();
    for (let n = 0; Date.now() < deadline; n++) {
      const response = await client.timed('upload', () => client.upload(wav, `${client.username}-${n}.wav`, 'mp3'));
      if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
      const { id } = (await response.json()) as { id: number };
      accepted.push(id);
      const acceptedAt = Date.now();
      let task = await client.timed('poll', () => client.task(id));
      while (task.status !== 'processed' && task.status !== 'failed') {
        if (Date.now() - acceptedAt > TASK_TIMEOUT_MS) throw new Error(`task ${id} still ${task.status} after ${TASK_TIMEOUT_MS} ms`);
        await sleep(POLL_MS);
        task = await client.timed('poll', () => client.task(id));
      }
      client.record('upload to processed', Date.now() - acceptedAt);
      if (task.status !== 'processed') throw new Error(`task ${id} failed: ${task.statusReason}`);
      const file = await client.timed('download', async () => {
        const download = await client.request(`/api/tasks/${id}/converted`);
        return { status: download.status, bytes: (await download.arrayBuffer()).byteLength };
      });
      if (file.status !== 200 || file.bytes !== task.outputBytes) throw new Error(`download of ${id}: ${file.status}, ${file.bytes} of ${task.outputBytes} bytes`);
      downloaded.add(id);
    }
  }

  const started = Date.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(clients.map((client) => flow(client, deadline).catch((error: Error) => void problems.push(error.message))));
  const drained = Date.now();

  const tasks = await stack.db.task.findMany({ where: { id: { in: accepted } } });
  await sleep(2000); // a late duplicate email would arrive now
  const emails = await stack.emails();
  const perTask = tasks.map((task) => emails.filter((e) => e.subject.startsWith(`${task.fileName} `)).length);
  const http5xx = clients.reduce((sum, c) => sum + c.http5xx, 0);
  const steps = new Map<string, number[]>();
  for (const client of clients) for (const [step, ms] of client.steps) steps.set(step, [...(steps.get(step) ?? []), ...ms]);
  const p95 = [...steps].map(([step, ms]) => `${step} ${(percentile(ms, 95) / 1000).toFixed(2)} s (×${ms.length})`).join(', ');

  reportFigures(t, {
    scenario: `8 load: ${CLIENTS} clients × ${SECONDS} s through nginx, 2 web, 2 workers`,
    submitted: accepted.length,
    processed: tasks.filter((task) => task.status === 'processed').length,
    failedWithReason: tasks.filter((task) => task.status === 'failed' && task.statusReason).length,
    lost: accepted.length - downloaded.size,
    emailsPerTask: emailSpread(perTask),
    http5xx,
    recoverSeconds: (drained - deadline) / 1000,
    notes: `p95: ${p95}; ${(downloaded.size / ((drained - started) / 1000)).toFixed(1)} tasks/s end to end; ${problems.length} client errors${problems.length ? `: ${problems.slice(0, 3).join('; ')}` : ''}`,
  });
  t.same(problems, [], 'every client ran its flow to the end');
  t.equal(http5xx, 0, 'no 5xx');
  t.ok(accepted.length >= CLIENTS, 'each client got at least one task through');
  t.equal(downloaded.size, accepted.length, 'nothing lost: every accepted task processed and its result downloaded whole');
  t.same(perTask.filter((n) => n !== 1), [], 'one email per task');
});

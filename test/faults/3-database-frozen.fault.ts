// Scenario 3: PostgreSQL frozen (SIGSTOP of the server and all its backends) during load,
// thawed, then restarted. The API must answer 503 (never a 500, never a hang) within the
// database timeouts, /ready must name the database, the worker must stop claiming and
// resume, and every task the API accepted must end processed. The PostgreSQL is the
// scenario's own (embedded), never a shared one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { DATABASE_TIMEOUTS } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.ts';
import { ensureDatabase } from '../../src/dev/services.ts';
import { audioBytes } from '../helpers/audio.ts';
import { freePorts } from '../../src/dev/ports.ts';
import { waitFor } from '../helpers/worker.ts';
import { ApiClient } from './client.ts';
import { emailSpread, reportFigures } from './figures.ts';
import { startFaultStack } from './harness.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DATA_DIR = `${ROOT}.data/faults-postgres`;
const FREEZE_MS = 12_000;

/** The postmaster and every process it forked (backends, checkpointer, walwriter...). */
function serverProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' }).split('\n').map(Number).filter(Boolean);
  return [postmaster, ...children];
}
const signalAll = (pids: number[], signal: NodeJS.Signals) => pids.forEach((pid) => process.kill(pid, signal));

t.test('a frozen, then restarted database: 503 within bounds, /ready names it, the worker resumes', async (t) => {
  const [port] = (await freePorts(1)) as [number];
  let server = await startEmbeddedPostgres(DATA_DIR, port);
  let frozen: number[] = [];
  t.teardown(async () => {
    signalAll(frozen, 'SIGCONT');
    await server.stop();
  });
  const databaseUrl = await ensureDatabase(server.url, `faults_${Date.now()}`);
  await migrate(databaseUrl);
  const stack = await startFaultStack(t, { databaseUrl });
  const client = new ApiClient(stack.webs[0]!.url);
  await client.signUpAndLogIn();
  await stack.startWorker();
  const mp3 = await audioBytes('mp3', 5);

  const accepted: number[] = [];
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let running = true;
  // Load: uploads and reads, one after the other, for the whole scenario.
  const load = (async () => {
    for (let i = 0; running; i++) {
      const started = Date.now();
      const response = await (i % 2 ? client.request('/api/tasks?max=5') : client.upload(mp3, `load-${i}.mp3`, 'ogg')).catch(() => null);
      latencies.push(Date.now() - started);
      const status = response?.status ?? 0; // 0: no answer at all
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 201) accepted.push(((await response!.json()) as { id: number }).id);
      else await response?.arrayBuffer();
      await sleep(100);
    }
  })();

  await sleep(3000);
  frozen = serverProcesses(server.dataDir); // as root, the data lives below /var/tmp, not in DATA_DIR
  signalAll(frozen, 'SIGSTOP');
  const frozenAt = Date.now();
  await sleep(DATABASE_TIMEOUTS.queryMs + 1000);
  const ready = await client.request('/ready');
  const readiness = (await ready.json()) as { checks: { database: string } };
  const readyNamedDatabase = ready.status === 503 && readiness.checks.database.startsWith('unreachable');
  await sleep(Math.max(0, FREEZE_MS - (Date.now() - frozenAt)));
  signalAll(frozen, 'SIGCONT');
  frozen = [];
  await sleep(2000);
  // And a restart: every pooled connection dies at once.
  await server.stop();
  await sleep(1000);
  server = await startEmbeddedPostgres(DATA_DIR, port);
  const restartedAt = Date.now();
  const healthy = await waitFor('the API to answer again', async () => (await client.request('/api/tasks?max=1').then((r) => r.status === 200, () => false)) ? Date.now() : null, 60_000);
  await sleep(2000);
  running = false;
  await load;

  const finals = await waitFor('every accepted task final', async () => {
    const tasks = await stack.db.task.findMany({ where: { id: { in: accepted } } });
    return tasks.length === accepted.length && tasks.every((task) => task.status === 'processed' || task.status === 'failed') ? tasks : null;
  }, 120_000).catch(async () => stack.db.task.findMany({ where: { id: { in: accepted } } }));
  // A task finished just before the restart owes its email until its message comes back
  // (visibility 5 s, retries after 1 s): wait for that, then a second for any duplicate.
  const emailsOf = async () => {
    const emails = await stack.emails();
    return finals.map((task) => emails.filter((e) => e.subject.startsWith(`${task.fileName} `)).length);
  };
  await waitFor('an email for every final task', async () => ((await emailsOf()).every((n) => n > 0) ? true : null), 60_000).catch(() => {});
  await sleep(1000);
  const perTask = await emailsOf();
  const maxLatency = Math.max(...latencies);
  const answered500 = statuses.get(500) ?? 0;

  reportFigures(t, {
    scenario: `3 PostgreSQL frozen ${FREEZE_MS / 1000} s, then restarted`,
    submitted: accepted.length,
    processed: finals.filter((task) => task.status === 'processed').length,
    failedWithReason: finals.filter((task) => task.status === 'failed' && task.statusReason).length,
    lost: accepted.length - finals.filter((task) => task.status === 'processed' || task.status === 'failed').length,
    emailsPerTask: emailSpread(perTask),
    http5xx: client.http5xx,
    recoverSeconds: (healthy - restartedAt) / 1000,
    notes: `statuses ${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')}; slowest answer ${(maxLatency / 1000).toFixed(1)} s; /ready named the database: ${readyNamedDatabase}`,
  });
  if (answered500) t.comment(stack.logTail()); // the web process logged each 500's error
  t.equal(answered500, 0, 'no 500');
  t.equal(statuses.get(0) ?? 0, 0, 'every request got an answer');
  t.ok((statuses.get(503) ?? 0) > 0, 'the outage was answered with 503');
  t.ok(maxLatency < DATABASE_TIMEOUTS.queryMs * 2 + 2000, `bounded answers (slowest ${maxLatency} ms)`);
  t.ok(readyNamedDatabase, '/ready says the database is unreachable');
  t.ok(finals.every((task) => task.status === 'processed'), 'the worker resumed: every accepted task processed');
  t.same(perTask.filter((n) => n !== 1), [], 'one email per task');
});

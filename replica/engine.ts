// The container engine the replica runs on: Docker with Compose v2 where there is one, else
// podman behind its Docker-compatible socket, driven by Debian's docker-compose 1.29.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './commands.ts';

const HERE = new URL('.', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

export interface Engine {
  cli: 'docker' | 'podman';
  env: NodeJS.ProcessEnv;
  /** The compose command for the repo's docker-compose.yml, as project `project`. */
  compose(project: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }>;
  /** Without systemd nobody runs podman's healthchecks; the harness must. */
  runsHealthchecks: boolean;
  stop(): Promise<void>;
}

const has = async (command: string, args: string[]) => (await run(command, args, { allowFailure: true }).catch(() => ({ code: 1 }))).code === 0;

export async function detectEngine(): Promise<Engine> {
  const prefer = process.env.CCT_REPLICA_ENGINE;
  if (prefer !== 'podman' && (await has('docker', ['compose', 'version']))) {
    const compose = ['compose', '-f', join(ROOT, 'docker-compose.yml')];
    return {
      cli: 'docker',
      env: process.env,
      compose: (project, args, env = {}) => run('docker', [...compose, '-p', project, ...args], { env: { ...process.env, ...env }, cwd: ROOT, allowFailure: true }),
      runsHealthchecks: false,
      stop: async () => {},
    };
  }
  if (!(await has('podman', ['--version']))) throw new Error('neither Docker with Compose v2 nor podman is installed');
  if (!(await has('docker-compose', ['--version']))) throw new Error('podman needs docker-compose (Debian: apt-get install docker-compose)');
  return startPodman();
}

async function startPodman(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'cct-replica-podman-'));
  const socket = join(dir, 'podman.sock');
  // runc and no systemd on these machines (TOOLCHAIN.md); a CONTAINERS_CONF of the caller wins.
  const env = { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? join(HERE, 'containers.conf') };
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env, stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(100);
  if (!existsSync(socket)) throw new Error('podman system service did not open its socket');
  const composeEnv = { ...env, DOCKER_HOST: `unix://${socket}`, COMPOSE_INTERACTIVE_NO_CLI: '1' };
  // docker-compose 1.29 predates the top-level `name:` (it takes -p instead) and honours
  // deploy.replicas only with --compatibility; the rest of the file goes in unchanged.
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(file, readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8').replace(/^name:.*\n/m, ''));
  return {
    cli: 'podman',
    env,
    compose: (project, args, extra = {}) =>
      run('docker-compose', ['--compatibility', '--ansi', 'never', '-f', file, '--project-directory', ROOT, '-p', project, ...args], { env: { ...composeEnv, ...extra }, cwd: ROOT, allowFailure: true }),
    runsHealthchecks: true,
    stop: async () => {
      service.kill('SIGTERM');
      await new Promise((resolve) => service.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Runs the repository's nginx.conf in front of loopback web processes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const NGINX_CONF = new URL('../../nginx.conf', import.meta.url).pathname;
const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];

export function findNginx(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  return onPath || CANDIDATES.find((path) => existsSync(path)) || null;
}

function replaceBlock(conf: string, name: string, body: string): string {
  const pattern = new RegExp(`[ \\t]*# template:${name}:begin\\n[\\s\\S]*?# template:${name}:end\\n`);
  if (!pattern.test(conf)) throw new Error(`nginx.conf lost its "template:${name}" markers`);
  return conf.replace(pattern, body ? `${body}\n` : '');
}

export async function renderNginxConf(upstreams: string[], port: number, maxUploadBytes: number, prefix: string): Promise<string> {
  let conf = await readFile(NGINX_CONF, 'utf8');
  conf = replaceBlock(conf, 'paths', `pid ${join(prefix, 'nginx.pid')};\nerror_log ${join(prefix, 'error.log')} warn;\nuser root;`);
  conf = replaceBlock(conf, 'resolver', '');
  conf = replaceBlock(conf, 'upstream', upstreams.map((u) => `    server ${u};`).join('\n'));
  const megabytes = Math.ceil(maxUploadBytes / 1024 ** 2) + 1;
  conf = replaceBlock(conf, 'limits', `client_max_body_size ${megabytes}m;`);
  return conf.replace('listen 8080;', `listen 127.0.0.1:${port};`);
}

/** Starts nginx on 127.0.0.1:port; resolves once it accepts connections. */
export async function startNginx(binary: string, upstreams: string[], port: number, maxUploadBytes: number) {
  const prefix = await mkdtemp(join(tmpdir(), 'cct-nginx-'));
  const confPath = join(prefix, 'nginx.conf');
  await writeFile(confPath, await renderNginxConf(upstreams, port, maxUploadBytes, prefix));
  const child = spawn(binary, ['-p', prefix, '-c', confPath, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start; see ${join(prefix, 'error.log')}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(() => true, () => false);
    if (up) break;
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGQUIT'); // graceful: finish open requests
      await exited;
      await rm(prefix, { recursive: true, force: true });
    },
  };
}

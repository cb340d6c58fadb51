// Static checks of Dockerfile.web, Dockerfile.worker and .dockerignore (no Docker engine here):
// what runs, as whom, from which pinned base, with which dependencies, and what the build sees.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, posix, relative } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { MIGRATIONS_DIR } from '../../src/db/migrate.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Stages and their instructions; continuation lines joined, comments dropped (as Docker does). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^\s*([A-Za-z]+)\s+(.*\S)\s*$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === 'FROM') {
      const words = args.split(/\s+/).filter((word) => !word.startsWith('--'));
      stages.push({ base: words[0]!, name: /^as$/i.test(words[1] ?? '') ? words[2] : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

const all = (stage: Stage | undefined, keyword: string) => (stage?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
const execForm = (args: string | undefined) => JSON.parse(/(\[.*\])\s*$/.exec(args ?? '')?.[1] ?? 'null') as string[] | null;
/** COPY's sources and destination, without its --flags. */
function copyParts(args: string) {
  const words = args.split(/\s+/);
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' };
}
/** Where a COPY lands, given the stage's WORKDIR before it. */
function copyDestinations(stage: Stage): { from?: string; source: string; target: string }[] {
  let workdir = '/';
  const result = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args);
    if (keyword !== 'COPY') continue;
    const { from, sources, destination } = copyParts(args);
    for (const source of sources) result.push({ from, source, target: posix.resolve(workdir, destination) });
  }
  return result;
}
const version = (tag: string) => (/^\d+(\.\d+)*/.exec(tag)?.[0] ?? '').split('.').map(Number);

const images = {
  'Dockerfile.web': { command: ['node', 'dist/web/server.js'], source: 'src/web/server.ts', portVariable: 'PORT', port: 3000 },
  'Dockerfile.worker': { command: ['node', 'dist/worker/main.js'], source: 'src/worker/main.ts', portVariable: 'WORKER_PORT', port: 9100 },
};

for (const [file, expected] of Object.entries(images)) {
  const stages = parseDockerfile(read(file));
  const runtime = stages.at(-1);
  const stageNames = stages.map((stage) => stage.name);

  t.test(`${file}: multi-stage on one pinned Node LTS base`, async (t) => {
    t.ok(stages.length >= 2, 'a build stage and a runtime stage');
    const bases = stages.map((stage) => stage.base).filter((base) => !stageNames.includes(base));
    t.same(new Set(bases).size, 1, 'the Node that compiles is the Node that runs');
    const [image, tag = ''] = (bases[0] ?? '').split(':');
    t.equal(image, 'node');
    t.match(tag, /^\d+\.\d+(\.\d+)?-[a-z]+-slim$/, 'pinned to a minor release of a slim Debian variant, never latest');
    const [major = 0, minor = 0] = version(tag);
    t.ok(major % 2 === 0, 'an even (LTS) Node major');
    const engines = version(/(\d+(\.\d+)*)/.exec(JSON.parse(read('package.json')).engines.node)?.[1] ?? '');
    t.ok(major > (engines[0] ?? 0) || (major === engines[0] && minor >= (engines[1] ?? 0)), `${tag} satisfies package.json engines`);
  });

  t.test(`${file}: build stage generates the Prisma client and compiles`, async (t) => {
    const build = stages.find((stage) => stage.name === copyDestinations(runtime!).find((c) => c.from)?.from);
    t.ok(build, 'the runtime copies from a named build stage');
    const runs = all(build, 'RUN').join('\n');
    t.match(runs, /npm ci\b/);
    t.match(runs, /npm run generate|prisma generate/);
    t.match(runs, /npm run build/);
  });

  t.test(`${file}: runtime holds production dependencies and compiled code only`, async (t) => {
    const runs = all(runtime, 'RUN').join('\n');
    t.match(runs, /npm ci\b[^\n]*--omit=dev/, 'production dependencies only');
    t.notMatch(runs, /--omit=optional/, "optional dependencies stay: @node-rs/argon2's native binding is one");
    t.notMatch(runs, /npm (install|i)\b/, 'exactly the lockfile');
    const copied = copyDestinations(runtime!).filter((copy) => copy.from);
    t.same(copied.map((copy) => [copy.source, copy.target]), [['/app/dist', '/app/dist']], 'no dev node_modules or sources from the build stage');
    t.match(all(runtime, 'ENV').join(' '), /NODE_ENV=production/);
    t.same(execForm(all(runtime, 'CMD').at(-1)), expected.command);
    t.ok(statSync(join(ROOT, expected.source)).isFile(), `${expected.command[1]} is compiled from ${expected.source}`);
  });

  t.test(`${file}: runs as an unprivileged user`, async (t) => {
    const user = all(runtime, 'USER').at(-1);
    t.ok(user, 'the runtime stage sets USER');
    t.notMatch(user ?? 'root', /^(root|0)(:|$)/);
  });

  t.test(`${file}: no secret is baked into the image`, async (t) => {
    const defined = stages.flatMap((stage) => [...all(stage, 'ENV'), ...all(stage, 'ARG')]);
    t.same(defined.filter((args) => /(SECRET|PASSWORD|TOKEN|PRIVATE|API_?KEY|ACCESS_KEY)\w*[=\s]\s*\S/i.test(args)), [], 'no ENV or ARG with a secret-looking value');
    const instructions = stages.flatMap((stage) => stage.instructions.map((i) => i.args));
    t.same(instructions.filter((args) => /JWT_SECRET|AWS_SECRET_ACCESS_KEY/.test(args)), [], 'secrets come from the environment at run time');
    const copied = stages.flatMap((stage) => copyDestinations(stage).map((copy) => copy.source));
    t.same(copied.filter((source) => /(^|\/)\.env/.test(source)), [], 'no env file copied in');
  });

  t.test(`${file}: HEALTHCHECK answers from the process's own /health`, async (t) => {
    const healthcheck = all(runtime, 'HEALTHCHECK').at(-1);
    t.ok(healthcheck, 'the runtime stage has a HEALTHCHECK');
    t.ok(all(runtime, 'EXPOSE').includes(String(expected.port)));
    const command = execForm(healthcheck);
    t.equal(command?.[0], 'node', 'the slim base has no curl or wget');
    const [program, ...args] = command ?? ['false'];

    // Run it as Docker would, against a stand-in process on the port the variable names.
    let status = 200;
    const server = createServer((req, res) => res.writeHead(req.url === '/health' ? status : 404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const port = String((server.address() as AddressInfo).port);
    const check = () =>
      promisify(execFile)(program!, args, { env: { ...process.env, [expected.portVariable]: port }, timeout: 10_000 }).then(() => 0, (error: { code?: number }) => error.code ?? -1);
    t.equal(await check(), 0, 'healthy when /health answers 200');
    status = 503;
    t.equal(await check(), 1, 'unhealthy otherwise');
    t.match(healthcheck, new RegExp(`process\\.env\\.${expected.portVariable} \\|\\| ${expected.port}\\b`), 'the app default when the variable is unset');
  });
}

t.test('Dockerfile.worker: Debian ffmpeg in the runtime stage, found through FFMPEG_PATH/FFPROBE_PATH', async (t) => {
  const runtime = parseDockerfile(read('Dockerfile.worker')).at(-1);
  const install = all(runtime, 'RUN').find((run) => /apt-get install/.test(run)) ?? '';
  t.match(install, /apt-get install -y --no-install-recommends ffmpeg\b/);
  t.match(install, /rm -rf \/var\/lib\/apt\/lists/, 'apt lists removed in the same layer');
  const env = all(runtime, 'ENV').join(' ');
  t.match(env, /FFMPEG_PATH=\/usr\/bin\/ffmpeg\b/);
  t.match(env, /FFPROBE_PATH=\/usr\/bin\/ffprobe\b/);
});

t.test('Dockerfile.web: no ffmpeg, and the migrations where the runner looks for them', async (t) => {
  const runtime = parseDockerfile(read('Dockerfile.web')).at(-1)!;
  t.notMatch(all(runtime, 'RUN').join('\n'), /apt-get install[^\n]*ffmpeg/, 'the web tier does not convert');
  const copies = copyDestinations(runtime);
  const dist = copies.find((copy) => copy.source === '/app/dist')?.target ?? '';
  const migrations = copies.find((copy) => !copy.from && copy.source === 'prisma/migrations')?.target;
  // dist/db/migrate.js resolves the directory as src/db/migrate.ts does in the repo.
  const fromDbDir = relative(join(ROOT, 'src/db'), MIGRATIONS_DIR);
  t.equal(migrations, posix.join(dist, 'db', fromDbDir));
});

t.test('.dockerignore: the build sees what the Dockerfiles copy, and no secrets or local state', async (t) => {
  const rules = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const glob = line.replace(/^!/, '').replace(/^\/+|\/+$/g, '');
      const escape = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      const source = glob.split('**').map((part) => part.split('*').map((s) => s.split('?').map(escape).join('[^/]')).join('[^/]*')).join('.*');
      return { exclude, regex: new RegExp(`^${source}$`) };
    });
  // Docker's rule: the last pattern matching the path or one of its parent directories decides.
  const sent = (path: string) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((prefix) => rule.regex.test(prefix))) excluded = rule.exclude;
    return !excluded;
  };
  const filesUnder = (path: string): string[] =>
    statSync(join(ROOT, path)).isDirectory() ? readdirSync(join(ROOT, path)).flatMap((entry) => filesUnder(posix.join(path, entry))) : [path];

  const sources = new Set(
    ['Dockerfile.web', 'Dockerfile.worker'].flatMap((file) =>
      parseDockerfile(read(file)).flatMap((stage) => copyDestinations(stage).filter((copy) => !copy.from).map((copy) => copy.source)),
    ),
  );
  t.ok(sources.size > 0);
  for (const source of sources) {
    // src/generated is made in the image; everything else a COPY names must reach the builder.
    const missing = filesUnder(source).filter((path) => !sent(path) && !path.startsWith('src/generated/'));
    t.same(missing, [], `${source} is in the build context`);
  }
  for (const path of ['.env', '.env.local', '.git/HEAD', 'node_modules/pg/package.json', '.data/pg/PG_VERSION', 'dist/web/server.js', 'src/generated/prisma/client.ts', 'terraform/terraform.tfstate', 'bench/results/x.json']) {
    t.notOk(sent(path), `${path} stays out of the build context`);
  }
});

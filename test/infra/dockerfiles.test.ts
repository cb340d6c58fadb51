// The project's policies for Dockerfile.web, Dockerfile.worker and .dockerignore: which pinned
// base, as whom, with which dependencies, no secrets. Whether the images build, start, pass their
// HEALTHCHECK, migrate and convert is checked by building and running them: `npm run test:replica`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PROCESS_MEMORY_ENV } from '../../src/process-memory.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Stage {
  base: string;
  name?: string;
  instructions: Array<{ keyword: string; args: string }>;
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
const version = (tag: string) => (/^\d+(\.\d+)*/.exec(tag)?.[0] ?? '').split('.').map(Number);

for (const file of ['Dockerfile.web', 'Dockerfile.worker']) {
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

  t.test(`${file}: the runtime holds production dependencies, exactly as locked`, async (t) => {
    const runs = all(runtime, 'RUN').join('\n');
    t.match(runs, /npm ci\b[^\n]*--omit=dev/, 'production dependencies only');
    t.notMatch(runs, /--omit=optional/, "optional dependencies stay: @node-rs/argon2's native binding is one");
    t.notMatch(runs, /npm (install|i)\b/, 'exactly the lockfile');
    t.match(all(runtime, 'ENV').join(' '), /NODE_ENV=production/);
  });

  t.test(`${file}: the memory settings of src/process-memory.ts, as the dev stack starts the processes`, async (t) => {
    // ENV a=b c="d e" …: the pairs, quotes removed.
    const env = Object.fromEntries(
      all(runtime, 'ENV').flatMap((args) => [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map(([, key, value]) => [key, value!.replace(/^"|"$/g, '')])),
    );
    for (const [key, value] of Object.entries(PROCESS_MEMORY_ENV)) t.equal(env[key], value, key);
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
  });
}

t.test('.dockerignore is an allowlist: nothing but what the images are built from reaches the builder', async (t) => {
  const rules = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  t.equal(rules[0], '*', 'everything is left out first');
  const allowed = rules.filter((rule) => rule.startsWith('!')).map((rule) => rule.slice(1));
  t.same(allowed.filter((path) => !/^(package(-lock)?\.json|prisma\.config\.ts|tsconfig(\.build)?\.json|prisma|src)$/.test(path)), [], 'only sources and manifests are let back in');
  t.ok(rules.includes('src/generated'), 'the image generates its own Prisma client; a copy from the host could be stale');
});

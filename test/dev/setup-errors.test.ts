// What cannot work stops `npm test` and `npm run dev` with one line that says what to do, not a stack trace.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { freePorts } from '../../src/dev/ports.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

async function run(script: string, env: NodeJS.ProcessEnv) {
  const settled = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { code: settled.code, stderr: settled.stderr.trim() };
}

t.test('a DATABASE_URL that does not answer', async (t) => {
  const [closed] = (await freePorts(1)) as [number];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/postgres`, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const reason = `PostgreSQL at 127.0.0.1:${closed} did not let us in (connect ECONNREFUSED 127.0.0.1:${closed}): start it or correct DATABASE_URL, or unset DATABASE_URL to use an embedded server.`;
  t.same(await run('test/run.ts', env), { code: 1, stderr: `Test setup failed: ${reason}` }, 'npm test');
  t.same(await run('src/dev/stack-cli.ts', env), { code: 1, stderr: `The stack did not start: ${reason}` }, 'npm run dev');
});

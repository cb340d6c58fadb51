// The UI's files at `/` next to the API, without a browser: what is served, with which headers,
// and that nothing of the API, the docs or the health checks is shadowed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError } from '../../src/config.ts';
import { build } from '../helpers/app.ts';

t.test('the UI is served at / beside the API', async (t) => {
  const app = await build(t);
  const page = await app.inject('/');
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /^text\/html/);
  const s3 = new URL(process.env.AWS_ENDPOINT_URL!).origin;
  t.equal(page.headers['content-security-policy'], `default-src 'self'; connect-src 'self' ${s3}; media-src 'self' ${s3}`, 'S3 only for uploads and playback');
  t.match(page.body, /<script type="module" src="main\.js"><\/script>/);
  t.notMatch(page.body, /<script>|<style>|style="|on(click|load|submit)=/i, 'no inline script, style or handler (the CSP forbids them)');

  const script = await app.inject('/main.js');
  t.equal(script.statusCode, 200);
  t.match(script.headers['content-type'], /javascript/);
  t.notMatch(script.body, /^import |from ['"]\.\.?\//m, 'one bundle: no imports left for the browser to fetch');
  t.match(script.body, /flac/, 'the format table is bundled in');
  const styles = await app.inject('/styles.css');
  t.equal(styles.statusCode, 200);
  t.match(styles.headers['content-type'], /^text\/css/);

  t.equal((await app.inject('/health')).statusCode, 200);
  t.equal((await app.inject('/docs/json')).statusCode, 200);
  t.notOk(Object.keys((await app.inject('/docs/json')).json<{ paths: object }>().paths).some((path) => !path.startsWith('/api') && !['/health', '/ready'].includes(path)), 'the UI files stay out of the OpenAPI document');
  const api = await app.inject('/api/tasks');
  t.equal(api.statusCode, 401);
  t.equal(api.headers['content-security-policy'], undefined);
  const unknown = await app.inject('/no-such-page');
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { statusCode: 404 });
});

t.test('without a bundle the web process stops at start and says how to make one', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'cct-no-ui-'));
  t.teardown(() => rm(empty, { recursive: true, force: true }));
  const error = await build(t, { UI_DIR: empty }).then(() => null, (e: Error) => e);
  t.type(error, ConfigError);
  t.equal(error?.message, `The web UI is not bundled in ${empty}: run \`npm run build\` first, or set UI_DIR to a folder it made (\`npm run dev\` and \`npm test\` bundle it themselves).`);
});

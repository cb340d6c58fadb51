// The web UI at `/`: index.html, main.js and styles.css from src/ui, bundled by esbuild.
// Built code (`npm run build`, the Docker image) serves dist/ui, made by the build script;
// run from sources (`npm run dev`, `npm test`) there is no bundle, so one is made at start
// into a temporary directory. esbuild is a devDependency: only that branch imports it.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** dist/ui next to dist/web when built; src/ui (sources, no main.js) when run by tsx. */
const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

/** The same bundle as the `build` script in package.json makes, written to `outdir`. */
async function bundleFromSources(outdir: string) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: ['main.ts', 'styles.css', 'index.html'].map((file) => join(UI_DIR, file)),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    loader: { '.html': 'copy' },
    outdir,
    logLevel: 'warning',
  });
}

const ui: FastifyPluginAsync = async (app) => {
  const s3 = app.s3Urls.origin;
  const csp = `default-src 'self'; connect-src 'self' ${s3}; media-src 'self' ${s3}`;
  let root = UI_DIR;
  if (!existsSync(join(UI_DIR, 'main.js'))) {
    root = await mkdtemp(join(tmpdir(), 'cct-ui-'));
    app.addHook('onClose', () => rm(root, { recursive: true, force: true }));
    await bundleFromSources(root);
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found now, and `/` for index.html: no catch-all that could shadow /api, /docs, /health, /ready.
    wildcard: false,
    decorateReply: false,
    setHeaders: (reply) => {
      // Only our own files: no inline script or style, no third-party origin but S3's, which
      // the page uploads to and plays results from through presigned URLs.
      reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff');
    },
  });
};

export default ui;

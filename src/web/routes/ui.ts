// The web UI at `/`: index.html, main.js and styles.css from a folder esbuild made beforehand
// (src/dev/ui-bundle.ts): UI_DIR when set (the dev stack and the test runner bundle into a
// temporary folder), else dist/ui beside the compiled code (`npm run build`, the Docker image).
// Nothing is bundled here, so the web process needs no build tool.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { ConfigError } from '../../config.ts';

/** dist/ui next to dist/web when built. */
const BUILT_UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const ui: FastifyPluginAsync = async (app) => {
  const s3 = app.s3Urls.origin;
  const csp = `default-src 'self'; connect-src 'self' ${s3}; media-src 'self' ${s3}`;
  const root = app.config.UI_DIR ?? BUILT_UI_DIR;
  if (!existsSync(join(root, 'main.js'))) {
    throw new ConfigError(`The web UI is not bundled in ${root}: run \`npm run build\` first, or set UI_DIR to a folder it made (\`npm run dev\` and \`npm test\` bundle it themselves).`);
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

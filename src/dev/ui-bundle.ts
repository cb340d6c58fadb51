// The web UI (src/ui) bundled by esbuild into the folder that web processes serve: dist/ui for
// `npm run build` (ui-bundle-cli.ts), a temporary UI_DIR for the dev stack and the test runner.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SOURCES = fileURLToPath(new URL('../ui/', import.meta.url));

/** Writes index.html, main.js (one file, nothing left to import) and styles.css into outdir. */
export async function bundleUi(outdir: string, { minify = false } = {}): Promise<void> {
  await build({
    entryPoints: ['main.ts', 'styles.css', 'index.html'].map((file) => join(SOURCES, file)),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    loader: { '.html': 'copy' },
    minify,
    outdir,
    logLevel: 'warning',
  });
}

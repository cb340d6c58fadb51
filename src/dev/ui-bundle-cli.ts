// `npm run build`, after tsc: the web UI, minified, into dist/ui beside the compiled web code.
import { fileURLToPath } from 'node:url';
import { bundleUi } from './ui-bundle.ts';

await bundleUi(fileURLToPath(new URL('../../dist/ui/', import.meta.url)), { minify: true });

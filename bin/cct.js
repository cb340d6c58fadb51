#!/usr/bin/env node
// `cct`, the command-line client. Runs the compiled dist/cli when built (a package install);
// in a checkout after `npm ci` it runs the TypeScript sources through tsx, so `npx cct` works
// without a build.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}

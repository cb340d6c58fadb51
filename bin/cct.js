#!/usr/bin/env node
// `cct`, the command-line client. In a checkout (after `npm ci`) it runs the TypeScript
// sources through tsx, so `npx cct` needs no build and is never stale; an installed package,
// which ships dist/ and not tsx, runs the compiled dist/cli.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const tsx = await import('tsx/esm/api').catch(() => null);
if (tsx && existsSync(sources)) {
  tsx.register();
  await import(sources.href);
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
}

// `npm run dev`: the whole stack in the foreground until Ctrl-C or SIGTERM.
import { startStack, type Stack } from './stack.ts';

const started = Date.now();
const starting = new AbortController();
let stack: Stack | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    if (!stack) return starting.abort(); // startStack stops what it started, then the catch below exits
    await stack.stop();
    process.exit(0);
  });
}

try {
  stack = await startStack({ env: process.env, signal: starting.signal });
} catch (error) {
  console.error(stopping ? 'Stopped while starting.' : `The stack did not start: ${error instanceof Error ? error.message : error}`);
  process.exit(stopping ? 0 : 1);
}

const { urls } = stack;
const front = urls.nginx ?? urls['web:3000'];
console.log(`
Cloud Conversion Tool is up in ${((Date.now() - started) / 1000).toFixed(1)} s
  Service   ${front}${urls.nginx ? '' : '   (nginx not installed: web process directly)'}
  API docs  ${front}/docs
${Object.entries(urls).map(([name, url]) => `  ${name.padEnd(9)} ${url}`).join('\n')}
Ctrl-C stops everything.`);

// `npm run dev`: the whole stack in the foreground until Ctrl-C or SIGTERM.
import { startStack } from './stack.ts';

const started = Date.now();
let stack;
try {
  stack = await startStack({ env: process.env });
} catch (error) {
  console.error(`The stack did not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const { urls } = stack;
const front = urls.nginx ?? urls['web:3000'];
console.log(`
Cloud Conversion Tool is up in ${((Date.now() - started) / 1000).toFixed(1)} s
  Service   ${front}${urls.nginx ? '' : '   (nginx not installed: web process directly)'}
  API docs  ${front}/docs
${Object.entries(urls).map(([name, url]) => `  ${name.padEnd(9)} ${url}`).join('\n')}
Ctrl-C stops everything.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping…');
    await stack.stop();
    process.exit(0);
  });
}

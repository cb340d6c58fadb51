// Starts one worker process. (Conversion loop: see the Worker issue.)
import { createServer } from 'node:http';
import { ConfigError, loadConfig } from '../config.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const server = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' }).end('{"status":"ok"}');
});
server.listen(config.WORKER_PORT, '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));

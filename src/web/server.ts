// Starts one web process: config, listen, graceful close. Nothing else knows about process exit.
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfigOrExit } from '../config.ts';
import { buildApp } from './app.ts';

const config = loadConfigOrExit();

const app = await buildApp(config).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message); // e.g. no UI bundle: one line that says what to do
  process.exit(1);
});
closeWithGrace({ delay: 10_000 }, async ({ err }) => {
  if (err) app.log.error({ err }, 'closing after an unexpected error');
  await app.close();
});
await app.listen({ host: config.HOST, port: config.PORT });

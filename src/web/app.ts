// Assembles the web application from its plugins; knows nothing about process start or exit.
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { Config } from '../config.ts';
import { loggerOptions } from '../logger.ts';
import { ignoreTypeOfMissingBody } from './bodyless-requests.ts';
import { errorHandler } from './errors.ts';
import api from './api.ts';
import authenticate from './plugins/authenticate.ts';
import configPlugin from './plugins/config.ts';
import db from './plugins/db.ts';
import rateLimits from './plugins/rate-limits.ts';
import s3 from './plugins/s3.ts';
import sqs from './plugins/sqs.ts';
import taskEvents from './plugins/task-events.ts';
import authRoutes from './routes/auth.ts';
import health from './routes/health.ts';
import ui from './routes/ui.ts';
import { ErrorSchema } from './schemas/error.ts';
import { TaskSchema } from './schemas/task.ts';

/** Proxies we trust for X-Forwarded-*: loopback and private networks (nginx, the ALB), never the open internet. */
const TRUSTED_PROXIES = ['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export async function buildApp(config: Config, options: { logger?: boolean } = {}) {
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(config),
    trustProxy: TRUSTED_PROXIES,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler);
  app.addHook('onRequest', ignoreTypeOfMissingBody);
  app.addSchema(ErrorSchema);
  app.addSchema(TaskSchema);
  await app.register(configPlugin, { config });
  try {
    // Per client address; shared by all instances through Redis when RATE_LIMIT_REDIS_URL is set.
    await app.register(rateLimits);
    await app.limitRate(app, config.RATE_LIMIT_PER_MINUTE, 'all');
    await app.register(swagger, {
      openapi: {
        info: { title: 'Cloud Conversion Tool', version: '1.0.0', description: 'Upload audio, name a format, download the result.' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a login token (POST /api/auth/login) or an API key cct_… (POST /api/keys)' } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    await app.register(db);
    await app.register(s3);
    await app.register(sqs);
    await app.register(taskEvents);
    await app.register(authenticate);
    await app.register(health);
    await app.register(authRoutes);
    await app.register(api);
    await app.register(ui);
  } catch (error) {
    // The plugins loaded so far hold connections (the pool, the LISTEN client, Redis): release them.
    await app.close().catch(() => {});
    throw error;
  }
  return app;
}

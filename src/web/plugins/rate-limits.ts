// Rate limits. With RATE_LIMIT_REDIS_URL the counters live in Redis, so every web instance
// behind the load balancer shares them (N instances no longer allow N times the limit);
// without it each process counts on its own. Redis being down lets requests through
// (skipOnError) rather than failing them: the limits protect the service, they are not
// worth an outage.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** Registers a rate limit of `max` requests per client address per minute in the calling scope. */
    limitRate: (scope: FastifyInstance, max: number, name: string) => Promise<void>;
  }
}

export default fp(
  async (app) => {
    const url = app.config.RATE_LIMIT_REDIS_URL;
    const redis = url ? new Redis(url, { connectTimeout: 2000, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true }) : undefined;
    if (redis) {
      redis.on('error', (err: Error) => app.log.warn({ err }, 'rate-limit Redis error'));
      await redis.connect().catch((err: Error) => app.log.warn({ err }, 'rate-limit Redis unreachable; requests are not limited until it answers'));
      app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
    }
    app.decorate('limitRate', async (scope: FastifyInstance, max: number, name: string) => {
      await scope.register(rateLimit, { max, timeWindow: '1 minute', redis, nameSpace: `cct-rate-${name}-`, skipOnError: true });
    });
  },
  { name: 'rate-limits', dependencies: ['config'] },
);

// Login tokens (signed JWTs that expire) and API keys (`cct_…`, src/keys) in the same
// `Authorization: Bearer` header; `app.authenticate` guards /api (src/web/api.ts).
import jwt from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { authenticateApiKey, isApiKey } from '../../keys/api-keys.ts';
import { HttpError } from '../errors.ts';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string };
    user: { sub: string };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    userId: number;
  }
}

export default fp(
  async (app) => {
    await app.register(jwt, { secret: app.config.JWT_SECRET, sign: { expiresIn: app.config.JWT_EXPIRES_IN } });
    app.decorateRequest('userId', 0);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      if (!request.headers.authorization) {
        throw new HttpError(401, 'Log in first: send the header "Authorization: Bearer <token>" with a token from POST /api/auth/login or an API key');
      }
      const [scheme, token = ''] = request.headers.authorization.split(' ');
      if (scheme?.toLowerCase() === 'bearer' && isApiKey(token)) {
        const result = await authenticateApiKey(app.db, token);
        if ('problem' in result) throw new HttpError(401, result.problem);
        request.userId = result.userId;
        return;
      }
      try {
        // The plugin's verifier itself: request.jwtVerify() decodes the token once more and runs
        // an async waterfall around the same check, about a tenth of a listing's CPU (docs/benchmarks.md).
        request.user = app.jwt.verify<{ sub: string }>(scheme?.toLowerCase() === 'bearer' ? token : '');
        request.userId = Number(request.user.sub);
      } catch (error) {
        const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED';
        throw new HttpError(401, expired ? 'Your login has expired; log in again' : 'The token is not valid; log in again');
      }
    });
  },
  { name: 'authenticate', dependencies: ['config', 'db'] },
);

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Prisma } from '../../generated/prisma/client.ts';
import { HttpError } from '../errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../passwords.ts';
import { acceptForms } from '../forms.ts';
import { ErrorSchema } from '../schemas/error.ts';

const UserSchema = Type.Object({ id: Type.Integer(), username: Type.String(), email: Type.String(), createdAt: Type.String({ format: 'date-time' }) });

const SignupBody = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 50, pattern: '^[A-Za-z0-9_.-]+$', description: '3-50 letters, digits, _ . -' }),
  email: Type.String({ format: 'email', maxLength: 254 }),
  password1: Type.String({ maxLength: 256 }),
  password2: Type.String({ maxLength: 256 }),
});

const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 254, description: 'username or email' }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
});

const LoginReply = Type.Object({ token: Type.String(), tokenType: Type.Literal('Bearer'), expiresIn: Type.Integer({ description: 'seconds' }) });

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const seconds = (duration: string) => Number(duration.slice(0, -1)) * (UNITS[duration.slice(-1)] ?? 1);

const auth: FastifyPluginAsyncTypebox = async (app) => {
  await acceptForms(app);
  await app.limitRate(app, app.config.AUTH_RATE_LIMIT_PER_MINUTE, 'auth');

  app.post(
    '/api/auth/signup',
    { schema: { tags: ['auth'], summary: 'Create an account', body: SignupBody, response: { 201: UserSchema, 400: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema } } },
    async (request, reply) => {
      const { username, password1, password2 } = request.body;
      const email = request.body.email.toLowerCase();
      if (password1 !== password2) throw new HttpError(400, 'password1 and password2 do not match');
      const problem = passwordProblem(password1);
      if (problem) throw new HttpError(400, problem);
      const taken = await app.db.user.findFirst({ where: { OR: [{ username }, { email }] }, select: { username: true } });
      if (taken) throw new HttpError(409, taken.username === username ? `The username ${username} is taken` : 'An account with this email already exists');
      try {
        const user = await app.db.user.create({ data: { username, email, passwordHash: await hashPassword(password1) } });
        return reply.code(201).send({ ...user, createdAt: user.createdAt.toISOString() });
      } catch (error) {
        // Two sign-ups racing for the same name: the unique index decides.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new HttpError(409, 'The username or email is already registered');
        }
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/login',
    { schema: { tags: ['auth'], summary: 'Get a token (log in with username or email)', body: LoginBody, response: { 200: LoginReply, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema } } },
    async (request) => {
      const { username, password } = request.body;
      const user = await app.db.user.findFirst({ where: username.includes('@') ? { email: username.toLowerCase() } : { username } });
      if (!(await verifyPassword(user?.passwordHash, password)) || !user) throw new HttpError(401, 'Wrong username or password');
      const token = await app.jwt.sign({ sub: String(user.id) });
      return { token, tokenType: 'Bearer' as const, expiresIn: seconds(app.config.JWT_EXPIRES_IN) };
    },
  );
};

export default auth;

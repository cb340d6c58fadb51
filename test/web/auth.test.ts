import t from 'tap';
import { build, multipart, PASSWORD, signUp } from '../helpers/app.ts';

const unique = () => `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
const signupFields = (username: string) => ({ username, email: `${username}@Example.COM`, password1: PASSWORD, password2: PASSWORD });

t.test('sign up as multipart, urlencoded or JSON; the reply never holds the hash', async (t) => {
  const app = await build(t);
  const asMultipart = await multipart(Object.entries(signupFields(unique())));
  const a = await app.inject({ method: 'POST', url: '/api/auth/signup', ...asMultipart });
  t.equal(a.statusCode, 201, a.body);
  t.notOk('passwordHash' in a.json(), 'no hash');
  t.match(a.json(), { id: Number, username: String, email: /@example\.com$/, createdAt: String });

  const b = await app.inject({
    method: 'POST',
    url: '/api/auth/signup',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(signupFields(unique())).toString(),
  });
  t.equal(b.statusCode, 201, b.body);
  const c = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: signupFields(unique()) });
  t.equal(c.statusCode, 201, c.body);
});

t.test('duplicates are refused with 409: username, and email in any case', async (t) => {
  const app = await build(t);
  const name = unique();
  t.equal((await app.inject({ method: 'POST', url: '/api/auth/signup', payload: signupFields(name) })).statusCode, 201);
  const sameName = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { ...signupFields(name), email: `${unique()}@example.com` } });
  t.equal(sameName.statusCode, 409);
  t.match(sameName.json(), { statusCode: 409, error: 'Conflict', message: `The username ${name} is taken` });
  const sameEmail = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { ...signupFields(unique()), email: `${name.toUpperCase()}@example.com` } });
  t.equal(sameEmail.statusCode, 409);
  t.match(sameEmail.json().message, /email already exists/);
});

t.test('bad sign-ups get 400 with what to fix', async (t) => {
  const app = await build(t);
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ password1: 'short', password2: 'short' }, /at least 8 characters, 2 upper-case letters, 2 digits, 2 special/],
    [{ password1: 'Longenough12!!', password2: 'Longenough12!!' }, /^The password needs at least 2 upper-case letters$/],
    [{ password2: 'Different%%12AB' }, /password1 and password2 do not match/],
    [{ email: 'not-an-email' }, /email must match format "email"/],
    [{ username: 'a b' }, /username must match pattern/],
  ];
  for (const [change, message] of cases) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { ...signupFields(unique()), ...change } });
    t.equal(response.statusCode, 400, JSON.stringify(change));
    t.match(response.json(), { statusCode: 400, error: 'Bad Request', message });
  }
  const missing = await app.inject({ method: 'POST', url: '/api/auth/signup', payload: { username: unique() } });
  t.equal(missing.statusCode, 400);
  t.match(missing.json().message, /must have required property/);
});

t.test('log in by username or email; the token opens the API and expires', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  for (const username of [user.username, `${user.username.toUpperCase()}@EXAMPLE.com`]) {
    const response = await app.inject({ method: 'POST', url: '/api/auth/login', ...(await multipart([['username', username], ['password', PASSWORD]])) });
    t.equal(response.statusCode, 200, response.body);
    t.match(response.json(), { token: String, tokenType: 'Bearer', expiresIn: 3600 });
  }
  t.equal((await app.inject({ url: '/api/tasks', headers: user.headers })).statusCode, 200);

  const expired = app.jwt.sign({ sub: String(user.id) }, { expiresIn: '1ms' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const late = await app.inject({ url: '/api/tasks', headers: { authorization: `Bearer ${expired}` } });
  t.equal(late.statusCode, 401);
  t.match(late.json().message, /expired; log in again/);
  const forged = await app.inject({ url: '/api/tasks', headers: { authorization: `Bearer ${user.token.slice(0, -3)}abc` } });
  t.equal(forged.statusCode, 401);
  t.match(forged.json().message, /not valid/);
  const none = await app.inject({ url: '/api/tasks' });
  t.equal(none.statusCode, 401);
  t.match(none.json().message, /Log in first/);
});

t.test('every /api route authenticates before its body is read', async (t) => {
  const app = await build(t);
  // A malformed body would be a 400 if it were parsed first.
  const routes = [
    { method: 'GET', url: '/api/tasks' },
    { method: 'GET', url: '/api/tasks/1' },
    { method: 'PUT', url: '/api/tasks/1', headers: { 'content-type': 'application/json' }, payload: '{not json' },
    { method: 'DELETE', url: '/api/tasks/1' },
    { method: 'POST', url: '/api/tasks', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: 'garbage' },
    { method: 'GET', url: '/api/tasks/1/original' },
    { method: 'GET', url: '/api/tasks/1/converted' },
    { method: 'GET', url: '/api/files/song.wav' },
  ] as const;
  for (const route of routes) {
    const response = await app.inject(route);
    t.equal(response.statusCode, 401, `${route.method} ${route.url}`);
    t.match(response.json(), { statusCode: 401, message: /Log in first/ });
  }
  const spec = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>> }>();
  for (const [path, methods] of Object.entries(spec.paths).filter(([path]) => path.startsWith('/api/') && !path.startsWith('/api/auth/'))) {
    for (const [method, operation] of Object.entries(methods)) {
      t.same(operation.security, [{ bearer: [] }], `${method} ${path} documents the bearer token`);
      t.ok(operation.responses['401'], `${method} ${path} documents 401`);
    }
  }
});

t.test('wrong passwords and unknown users get the same 401', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const wrong = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: 'nope' } });
  const unknown = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: unique(), password: PASSWORD } });
  t.equal(wrong.statusCode, 401);
  t.same(wrong.json(), unknown.json());
  t.equal(wrong.json().message, 'Wrong username or password');
});

t.test('sign-up and login attempts are rate limited with 429', async (t) => {
  const app = await build(t, { AUTH_RATE_LIMIT_PER_MINUTE: '2' });
  const attempt = () => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'x', password: 'y' } });
  t.equal((await attempt()).statusCode, 401);
  t.equal((await attempt()).statusCode, 401);
  const limited = await attempt();
  t.equal(limited.statusCode, 429);
  t.match(limited.json(), { statusCode: 429, message: /Rate limit exceeded/ });
  t.ok(limited.headers['retry-after'], 'says when to retry');
});

// Several HTTP clients send a Content-Type header on GET and DELETE with no body at all.
import t from 'tap';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';

const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=xyz', 'text/plain', 'application/octet-stream'];

t.test('a Content-Type header without a body is not an error on GET and DELETE', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  for (const contentType of CONTENT_TYPES) {
    const id = await uploadTask(app, user, await audioBytes('wav', 1), 'a.wav', [['newFormat', 'mp3']]);
    const headers = { ...user.headers, 'content-type': contentType };
    const list = await app.inject({ method: 'GET', url: '/api/tasks', headers });
    t.equal(list.statusCode, 200, `GET /api/tasks with ${contentType}`);
    const one = await app.inject({ method: 'GET', url: `/api/tasks/${id}`, headers });
    t.equal(one.statusCode, 200, `GET /api/tasks/:id with ${contentType}`);
    const deleted = await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers });
    t.equal(deleted.statusCode, 204, `DELETE with ${contentType}: ${deleted.body}`);
    const health = await app.inject({ method: 'GET', url: '/health', headers: { 'content-type': contentType } });
    t.equal(health.statusCode, 200, `GET /health with ${contentType}`);
  }
});

t.test('a PUT or POST whose Content-Type promises a body it lacks gets a 400 that says so', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'a.wav', [['newFormat', 'mp3']]);
  for (const contentType of CONTENT_TYPES) {
    const put = await app.inject({ method: 'PUT', url: `/api/tasks/${id}`, headers: { ...user.headers, 'content-type': contentType } });
    t.ok(put.statusCode >= 400 && put.statusCode < 500, `PUT with ${contentType} and no body: ${put.statusCode} ${put.body}`);
    t.match(put.json(), { statusCode: put.statusCode, message: String });
    const post = await app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, 'content-type': contentType } });
    t.ok(post.statusCode >= 400 && post.statusCode < 500, `POST /api/tasks with ${contentType} and no body: ${post.statusCode} ${post.body}`);
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': contentType } });
    t.ok(login.statusCode >= 400 && login.statusCode < 500, `POST /api/auth/login with ${contentType} and no body: ${login.statusCode}`);
  }
});

t.test('a multipart body without a boundary in its Content-Type is a 400 that says how to fix it', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const response = await app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, 'content-type': 'multipart/form-data' }, payload: 'newFormat=mp3' });
  t.equal(response.statusCode, 400);
  t.match(response.json(), { error: 'Bad Request', message: /boundary/ });
});

t.test('a multipart body that breaks off before its closing boundary is a 400 (found by fuzzing, seed 1367815512)', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const headers = { 'content-type': 'multipart/form-data; boundary=fuzzboundary' };
  for (const payload of ['false', '--fuzzboundary\r\n', '--fuzzboundary\r\nContent-Disposition: form-data; name="username"\r\n\r\nbob']) {
    const signup = await app.inject({ method: 'POST', url: '/api/auth/signup', headers, payload });
    t.equal(signup.statusCode, 400, `sign-up with ${JSON.stringify(payload)}`);
    t.match(signup.json(), { error: 'Bad Request', message: /multipart\/form-data body is malformed/ });
    const upload = await app.inject({ method: 'POST', url: '/api/tasks', headers: { ...user.headers, ...headers }, payload });
    t.equal(upload.statusCode, 400, `upload with ${JSON.stringify(payload)}`);
  }
  t.equal((await app.inject({ url: '/api/tasks', headers: user.headers })).json().length, 0, 'no task was made');
});

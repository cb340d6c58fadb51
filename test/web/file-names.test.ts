// Found by the fuzzing scenario (seed 870033146): a NUL in /api/files/:filename answered 500.
import t from 'tap';
import { build, signUp } from '../helpers/app.ts';

t.test('a file name with a NUL byte is a 400, not a 500', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const response = await app.inject({ method: 'GET', url: '/api/files/a%00b.wav', headers: user.headers });
  t.equal(response.statusCode, 400, response.body);
});

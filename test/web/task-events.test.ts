// GET /api/tasks/events: changes made through any web process, or by the worker, reach the
// owner's stream in every process, and nobody else's.
import t, { type Test } from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { claimTask } from '../../src/tasks/transitions.ts';
import { build, signUp, uploadTask, type App } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { testConfig } from '../helpers/env.ts';

interface Event {
  event: string;
  data: { id?: number; status?: string; fileName?: string };
}

/** Opens the stream on a listening app; `next(until)` resolves with the next event that passes until (heartbeats skipped). */
async function openStream(t: Test, app: App, authorization: string) {
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const response = await fetch(`${address}/api/tasks/events`, { headers: { authorization }, signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  return {
    response,
    async next(until: (event: Event) => boolean = () => true): Promise<Event> {
      for (;;) {
        const end = buffered.indexOf('\n\n');
        if (end >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          const parsed = event && data ? { event, data: JSON.parse(data) as Event['data'] } : null;
          if (parsed && until(parsed)) return parsed;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffered += value;
      }
    },
  };
}

t.test('changes from another web process and from the worker reach the stream', async (t) => {
  const [a, b] = [await build(t), await build(t)];
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  const user = await signUp(b);
  const other = await signUp(b);
  const stream = await openStream(t, a, user.headers.authorization);
  t.equal(stream.response.status, 200);
  t.match(stream.response.headers.get('content-type'), /^text\/event-stream/);
  t.equal(stream.response.headers.get('x-accel-buffering'), 'no');

  const wav = await audioBytes('wav');
  await uploadTask(b, other, wav, 'not-yours.wav', [['newFormat', 'mp3']]);
  const id = await uploadTask(b, user, wav, 'mine.wav', [['newFormat', 'mp3']]);
  t.match(await stream.next(), { event: 'task', data: { id, fileName: 'mine.wav', status: 'uploaded' } }, "the upload, made on the other process; another user's is not sent");
  await claimTask(db, { taskId: id, version: 1 });
  // (The upload is announced again when the queue accepts it: one event per change of the row.)
  t.match(await stream.next((e) => e.data.status !== 'uploaded'), { event: 'task', data: { id, status: 'processing' } }, "the worker's change");
  t.equal((await b.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers })).statusCode, 204);
  t.same(await stream.next((e) => e.event !== 'task'), { event: 'deleted', data: { id } });
});

t.test('the stream needs a token', async (t) => {
  const app = await build(t);
  const response = await app.inject({ url: '/api/tasks/events' });
  t.equal(response.statusCode, 401);
  t.match(response.json(), { statusCode: 401, message: /Log in first/ });
});

t.test('the stream ends when the token expires', async (t) => {
  const app = await build(t, { JWT_EXPIRES_IN: '2s' });
  const user = await signUp(app);
  const stream = await openStream(t, app, user.headers.authorization);
  t.match(await stream.next(), { event: 'expired' });
  await t.rejects(stream.next(), /the stream ended/);
});

// The task list built by PostgreSQL, its pages and cursor, and ETag / 304 on the list and on a task.
import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { claimTask, failTask, finishTask } from '../../src/tasks/transitions.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { testConfig } from '../helpers/env.ts';

t.test('the list PostgreSQL builds is, task by task, what GET /api/tasks/:id answers', async (t) => {
  const app = await build(t);
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const ids = [];
  for (const name of ['waiting.wav', 'done "quoted" ünïcode.wav', 'failed.wav']) ids.push(await uploadTask(app, user, wav, name, [['newFormat', 'mp3'], ['bitrate', '96']]));
  const [, done, failed] = ids as [number, number, number];
  await claimTask(db, { taskId: done, version: 1 });
  await finishTask(db, { taskId: done, version: 1 }, { outputKey: 'k', outputBytes: 12345, durationSeconds: 1.0000000001 }, 7);
  await claimTask(db, { taskId: failed, version: 1 });
  await failTask(db, { taskId: failed, version: 1 }, 'not an audio file: it has no audio stream', 7);

  const list = await app.inject({ url: '/api/tasks', headers: user.headers });
  t.equal(list.statusCode, 200);
  t.match(list.headers['content-type'], /^application\/json/);
  const listed = list.json() as Array<{ id: number }>;
  t.same(listed.map((task) => task.id), ids);
  for (const task of listed) {
    const { urls, ...single } = (await app.inject({ url: `/api/tasks/${task.id}`, headers: user.headers })).json();
    t.ok(urls, 'one task carries presigned URLs; the list does not');
    t.same(task, single, `task ${task.id} is the same in both`);
  }
  t.match(listed[1], { status: 'processed', outputBytes: 12345, durationSeconds: 1.0000000001, finishedAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, links: { converted: `/api/tasks/${done}/converted` } });
});

t.test('pages: max, order and the cursor in the Link header', async (t) => {
  const app = await build(t);
  const user = await signUp(app);
  const wav = await audioBytes('wav');
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push(await uploadTask(app, user, wav, `${i}.wav`, [['newFormat', 'mp3']]));

  const walk = async (first: string) => {
    const seen: number[] = [];
    for (let url: string | undefined = first; url; ) {
      const page: Awaited<ReturnType<typeof app.inject>> = await app.inject({ url, headers: user.headers });
      t.equal(page.statusCode, 200, page.body);
      seen.push(...(page.json() as Array<{ id: number }>).map((task) => task.id));
      url = /^<([^>]+)>; rel="next"$/.exec(String(page.headers.link ?? ''))?.[1];
    }
    return seen;
  };
  t.same(await walk('/api/tasks?max=2'), ids, 'ascending, two at a time, every task once');
  t.same(await walk('/api/tasks?max=2&order=1'), [...ids].reverse(), 'descending');
  const last = await app.inject({ url: `/api/tasks?max=5`, headers: user.headers });
  t.equal(last.headers.link, `</api/tasks?max=5&order=0&after=${ids[4]}>; rel="next"`, 'a full page points on, even when nothing follows');
  t.same((await app.inject({ url: `/api/tasks?after=${ids[4]}`, headers: user.headers })).json(), [], 'past the end: an empty page');
  const bad = await app.inject({ url: '/api/tasks?max=1001', headers: user.headers });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { statusCode: 400, message: /max must be <= 1000/ });
  const badCursor = await app.inject({ url: '/api/tasks?after=x', headers: user.headers });
  t.equal(badCursor.statusCode, 400);
  t.match(badCursor.json(), { message: /after must be integer/ });
});

t.test('ETag and 304: the list and a task, until something changes', async (t) => {
  const app = await build(t);
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  const user = await signUp(app);
  const other = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav'), 'a.wav', [['newFormat', 'mp3']]);

  const list = await app.inject({ url: '/api/tasks', headers: user.headers });
  const etag = list.headers.etag as string;
  t.match(etag, /^W\/".+"$/);
  t.equal(list.headers['cache-control'], 'private, no-cache');
  const again = await app.inject({ url: '/api/tasks', headers: { ...user.headers, 'if-none-match': etag } });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  t.equal(again.headers.etag, etag);

  await app.inject({ url: '/api/tasks', headers: other.headers });
  await uploadTask(app, other, await audioBytes('wav'), 'b.wav', [['newFormat', 'mp3']]);
  t.equal((await app.inject({ url: '/api/tasks', headers: { ...user.headers, 'if-none-match': etag } })).statusCode, 304, "another user's change does not touch this list");

  const task = await app.inject({ url: `/api/tasks/${id}`, headers: user.headers });
  const taskTag = task.headers.etag as string;
  t.equal(task.headers['cache-control'], 'no-store', 'its presigned URLs expire: a browser must not reuse a stored copy of them');
  t.equal((await app.inject({ url: `/api/tasks/${id}`, headers: { ...user.headers, 'if-none-match': taskTag } })).statusCode, 304);

  await claimTask(db, { taskId: id, version: 1 }); // the worker's write, not the web tier's
  const changed = await app.inject({ url: '/api/tasks', headers: { ...user.headers, 'if-none-match': etag } });
  t.equal(changed.statusCode, 200, 'a change made anywhere gives the list a new tag');
  t.not(changed.headers.etag, etag);
  t.match(changed.json(), [{ id, status: 'processing' }]);
  const changedTask = await app.inject({ url: `/api/tasks/${id}`, headers: { ...user.headers, 'if-none-match': taskTag } });
  t.equal(changedTask.statusCode, 200);
  t.match(changedTask.json(), { status: 'processing' });

  await app.inject({ method: 'DELETE', url: `/api/tasks/${id}`, headers: user.headers });
  t.equal((await app.inject({ url: '/api/tasks', headers: { ...user.headers, 'if-none-match': changed.headers.etag as string } })).statusCode, 200, 'and so does a delete');
  t.equal((await app.inject({ url: `/api/tasks/${id}`, headers: { ...user.headers, 'if-none-match': taskTag } })).statusCode, 404, 'a deleted task is 404, not 304');
});

t.test('a page kept by the web process is served only while nothing changed, wherever the change was made', async (t) => {
  const [app, other] = [await build(t), await build(t)];
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  const user = await signUp(app);
  const [first, second] = [await uploadTask(app, user, await audioBytes('wav'), 'a.wav', [['newFormat', 'mp3']]), await uploadTask(app, user, await audioBytes('wav'), 'b.wav', [['newFormat', 'mp3']])];
  const list = async (query = '') => (await app.inject({ url: `/api/tasks${query}`, headers: user.headers })).json() as Array<{ id: number; status: string }>;

  const kept = await list();
  t.same(await list(), kept, 'the same page twice');
  t.same((await list('?max=1')).map((task) => task.id), [first], 'another page is another entry');
  await claimTask(db, { taskId: first, version: 1 }); // the worker's write
  t.match(await list(), [{ id: first, status: 'processing' }, { id: second, status: 'uploaded' }]);
  t.equal((await other.inject({ method: 'DELETE', url: `/api/tasks/${second}`, headers: user.headers })).statusCode, 204); // another web process
  t.same((await list()).map((task) => task.id), [first]);
  t.same((await list('?max=1')).map((task) => task.status), ['processing']);
});

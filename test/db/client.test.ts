import t from 'tap';
import { createDatabase } from '../../src/db/client.ts';
import { testConfig } from '../helpers/env.ts';

t.test('Prisma round trip: a user and a task with every field', async (t) => {
  const db = createDatabase(testConfig().DATABASE_URL);
  t.teardown(() => db.$disconnect());
  const username = `prisma-${Date.now()}`;
  const user = await db.user.create({ data: { username, email: `${username}@example.com`, passwordHash: 'x' } });
  const task = await db.task.create({
    data: { userId: user.id, fileName: 'song.wav', sourceFormat: 'wav', targetFormat: 'mp3', options: { bitrate: 192 }, inputKey: 'k', inputBytes: 5n * 1024n ** 3n },
  });
  t.match(task, { status: 'uploaded', version: 1, progress: 0, statusReason: null, notifiedAt: null, options: { bitrate: 192 } });
  t.equal(task.inputBytes, 5n * 1024n ** 3n, 'sizes above 2 GiB survive');
  const found = await db.task.findMany({ where: { userId: user.id, fileName: 'song.wav' }, include: { user: true } });
  t.equal(found.length, 1);
  t.equal(found[0]!.user.username, username);
  await db.user.delete({ where: { id: user.id } });
  t.equal(await db.task.count({ where: { id: task.id } }), 0, 'deleting a user deletes their tasks');
});

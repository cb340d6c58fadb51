// The sweeper of stored files that no task references.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { convertedKey, originalKey } from '../../src/storage/s3.ts';
import { deleteUnreferencedFiles } from '../../src/tasks/orphans.ts';
import { build, signUp, uploadTask } from '../helpers/app.ts';
import { audioBytes } from '../helpers/audio.ts';
import { userObjects } from '../helpers/s3.ts';
import { workerDeps } from '../helpers/worker.ts';

t.test('files without a task go once past the grace period; referenced and recent files stay', async (t) => {
  const app = await build(t);
  const deps = await workerDeps(t);
  const user = await signUp(app);
  const id = await uploadTask(app, user, await audioBytes('wav', 1), 'kept.wav', [['newFormat', 'mp3']]);
  const bucket = deps.config.S3_BUCKET;
  const put = (Key: string) => deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
  const orphanOriginal = originalKey(user.id, 999_999_001, 'wav'); // its web process died before the insert
  const orphanResult = convertedKey(user.id, id, 7, 'mp3'); // a worker died before recording it
  await put(orphanOriginal);
  await put(orphanResult);
  await put(`users/${user.id}/not-a-task-file`);

  t.equal(await deleteUnreferencedFiles(deps.db, deps.s3, bucket, 60_000, `users/${user.id}/`), 0, 'nothing is old enough yet');
  await sleep(1100);
  t.equal(await deleteUnreferencedFiles(deps.db, deps.s3, bucket, 1000, `users/${user.id}/`), 2); // the user's own prefix: other tests share the bucket
  const task = await deps.db.task.findUniqueOrThrow({ where: { id } });
  t.same(await userObjects(user.id), [task.inputKey, `users/${user.id}/not-a-task-file`].sort(), 'only the orphans went');
});

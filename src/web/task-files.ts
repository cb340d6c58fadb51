// A task's two files as clients download them: key, file name and type; streamed by
// routes/downloads.ts or handed out as presigned S3 URLs (?redirect=1, the task's `urls`).
import { TARGET_FORMATS, type TargetFormatName } from '../audio/formats.ts';
import { TaskStatus, type Task } from '../generated/prisma/client.ts';
import type { UrlSigner } from '../storage/presigned-urls.ts';
import { filesGone, HttpError } from './errors.ts';
import type { TaskUrls } from './schemas/task.ts';

export interface TaskFile {
  key: string;
  name: string;
  contentType: string;
}

type FileColumns = Pick<Task, 'id' | 'fileName' | 'targetFormat' | 'status' | 'statusReason' | 'inputKey' | 'outputKey' | 'expiredAt'>;

/** 410 once the retention period removed the task's files. */
export function originalFile(task: FileColumns): TaskFile {
  if (task.expiredAt) throw filesGone(task);
  return { key: task.inputKey, name: task.fileName, contentType: 'application/octet-stream' };
}

/** `song.wav` converted to mp3 downloads as `song.mp3`; 409 until there is a result, 410 once expired. */
export function convertedFile(task: FileColumns): TaskFile {
  if (task.expiredAt) throw filesGone(task);
  if (task.status !== TaskStatus.processed || !task.outputKey) {
    throw new HttpError(409, `Task ${task.id} has no converted file yet (status ${task.status}${task.statusReason ? `: ${task.statusReason}` : ''})`);
  }
  const name = `${task.fileName.replace(/\.[^.]*$/, '')}.${task.targetFormat}`;
  return { key: task.outputKey, name, contentType: TARGET_FORMATS[task.targetFormat as TargetFormatName].contentType };
}

export async function presignedDownload(signer: UrlSigner, file: TaskFile, ttlSeconds: number): Promise<string> {
  return (await signer.get(file.key, file.name, file.contentType, ttlSeconds)).url;
}

/** Short-lived URLs of both files, for the web UI's player and download buttons. */
export async function taskUrls(signer: UrlSigner, task: FileColumns, ttlSeconds: number): Promise<TaskUrls> {
  const done = task.status === TaskStatus.processed && task.outputKey;
  const [original, converted] = await Promise.all([
    presignedDownload(signer, originalFile(task), ttlSeconds),
    done ? presignedDownload(signer, convertedFile(task), ttlSeconds) : null,
  ]);
  return { original, converted, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
}

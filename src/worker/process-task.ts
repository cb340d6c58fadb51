// One queue message, start to end. Every step may run again after a crash or a
// redelivery, so each is safe to repeat: claims and results are conditional
// updates on (id, version), and the result's S3 key carries the version.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { convertAudio, UnconvertibleError } from '../audio/convert.ts';
import { TARGET_FORMATS, type ConversionOptions, type TargetFormatName } from '../audio/formats.ts';
import type { TaskMessage } from '../queue/sqs.ts';
import { convertedKey, deleteObjects, uploadFile } from '../storage/s3.ts';
import { claimTask, failTask, type ConversionResult, finishTask, recordProgress, releaseTask } from '../tasks/transitions.ts';
import type { WorkerDeps } from './deps.ts';
import { notifyOwner } from './notify.ts';

export type Outcome = 'processed' | 'failed' | 'dropped';

const PROGRESS_INTERVAL_MS = 1000;
/** Long enough for ffmpeg's last seek in the longest conversion; a later one fails and the task is retried. */
const INPUT_URL_SECONDS = 3600;

export async function processTask(deps: WorkerDeps, message: TaskMessage, signal: AbortSignal): Promise<Outcome> {
  const { db, log } = deps;
  const { taskId, version } = message;
  const task = await claimTask(db, message);
  if (!task) {
    // Deleted, re-formatted (a newer message exists), or finished by an earlier delivery:
    // then only the email may still be owed.
    const current = await db.task.findUnique({ where: { id: taskId }, select: { version: true, status: true } });
    if (current?.version === version) await notifyOwner(deps, message);
    return 'dropped';
  }
  const format = task.targetFormat as TargetFormatName;
  const started = Date.now();
  const dir = await mkdtemp(join(deps.tempRoot, `cct-task-${taskId}-`));
  deps.metrics.inFlight.inc();
  try {
    // ffmpeg reads the original from S3 itself: downloading it through this process cost about 5 ms
    // of CPU per MB (docs/benchmarks.md), ffmpeg's own reads next to nothing.
    const { url: input } = await deps.urls.read(task.inputKey, INPUT_URL_SECONDS);

    let result: ConversionResult;
    try {
      const output = join(dir, `converted.${format}`);
      let lastWrite = 0;
      const info = await convertAudio(deps.binaries, {
        input,
        output,
        format,
        options: task.options as ConversionOptions,
        signal,
        onProgress: (progress) => {
          if (Date.now() - lastWrite < PROGRESS_INTERVAL_MS) return;
          lastWrite = Date.now();
          recordProgress(db, message, progress).catch((err: Error) => log.warn({ err, taskId }, 'progress not saved'));
        },
      });
      const outputKey = convertedKey(task.userId, taskId, version, format);
      await uploadFile(deps.s3, deps.config.S3_BUCKET, outputKey, output, TARGET_FORMATS[format].contentType, signal);
      result = { outputKey, outputBytes: (await stat(output)).size, durationSeconds: info.durationSeconds };
    } catch (error) {
      if (!(error instanceof UnconvertibleError)) throw error;
      await failTask(db, message, error.message, deps.config.FILE_RETENTION_DAYS);
      deps.metrics.conversions.inc({ format, outcome: 'failed' });
      log.info({ taskId, reason: error.message }, 'conversion failed');
      await notifyOwner(deps, message);
      return 'failed';
    }

    if (!(await finishTask(db, message, result, deps.config.FILE_RETENTION_DAYS))) {
      // Deleted or re-formatted while we converted: the result belongs to nobody, unless a
      // duplicate delivery of this same message finished first and stored it under the same key.
      const current = await db.task.findUnique({ where: { id: taskId }, select: { outputKey: true } });
      if (current?.outputKey !== result.outputKey) await deleteObjects(deps.s3, deps.config.S3_BUCKET, [result.outputKey]);
      return 'dropped';
    }
    deps.metrics.conversions.inc({ format, outcome: 'processed' });
    deps.metrics.duration.observe({ format }, (Date.now() - started) / 1000);
    log.info({ taskId, format, ms: Date.now() - started }, 'converted');
    await notifyOwner(deps, message);
    return 'processed';
  } catch (error) {
    if (signal.aborted) {
      // Stopped mid-way: the message goes back to the queue, so the task waits again.
      await releaseTask(db, message);
    }
    throw error;
  } finally {
    deps.metrics.inFlight.dec();
    await rm(dir, { recursive: true, force: true });
  }
}

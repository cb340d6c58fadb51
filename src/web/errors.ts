// One error shape everywhere, {statusCode, error, message}; 5xx bodies say nothing internal.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SOURCE_FORMAT_NAMES } from '../audio/formats.ts';
import { isDatabaseUnavailable } from '../db/client.ts';
import { PerUserLimitError } from '../db/per-user-limit.ts';
import { drainRequest } from './request-body.ts';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} was not found`);

/** 410 for a task whose files the retention period removed (FILE_RETENTION_DAYS). */
export const filesGone = (task: { id: number; expiredAt: Date | null }) =>
  new HttpError(410, `The files of task ${task.id} were deleted on ${task.expiredAt?.toISOString()} at the end of the retention period; upload the file again to convert it`);

export const tooLarge = (limit: number) =>
  new HttpError(413, `The file is larger than the upload limit of ${limit} bytes (${(limit / 1024 ** 2).toFixed(0)} MiB)`);

export const notAudio = (fileName: string) =>
  new HttpError(415, `"${fileName}" is not an audio file this service takes; use one of the extensions ${SOURCE_FORMAT_NAMES.join(', ')}`);

/** Errors of the network, S3, SQS or the database that mean "try again later", not "you did something wrong". */
function isDependencyDown(error: FastifyError & { $metadata?: unknown; code?: string }): boolean {
  const codes = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND'];
  return Boolean(error.$metadata) || (error.code !== undefined && codes.includes(error.code)) || isDatabaseUnavailable(error);
}

/** busboy's words for a multipart body that does not follow its own boundary (plain Errors, no status). */
const MALFORMED_MULTIPART = /^(Unexpected end of multipart data|Malformed part header|Part terminated early)/;

export async function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  let statusCode = error.statusCode ?? 500;
  let message = error.message;
  if (error.validation) {
    statusCode = 400;
    message = message.replace(/^(body|querystring)\//, '');
  } else if (error instanceof PerUserLimitError) {
    statusCode = 409;
  } else if (!error.statusCode && MALFORMED_MULTIPART.test(message)) {
    statusCode = 400;
    message = `The multipart/form-data body is malformed (${message}): each part must start with --BOUNDARY and the body end with --BOUNDARY--, using the boundary of the Content-Type header`;
  } else if (statusCode >= 500 || !error.statusCode) {
    if (isDependencyDown(error)) {
      statusCode = 503;
      message = 'A service this request needs is unavailable; nothing was changed. Try again in a minute.';
      request.log.warn({ err: error }, 'dependency unavailable');
    } else {
      statusCode = 500;
      message = 'Something went wrong on our side; it has been logged.';
      request.log.error({ err: error }, 'request failed');
    }
  }
  // A reply sent before the body is read makes nginx answer 502 instead: read the rest first.
  await drainRequest(request, reply);
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message });
}

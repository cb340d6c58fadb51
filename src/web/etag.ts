// Entity tags for the answers polling clients ask for again and again: a client that sends back
// the ETag it has (If-None-Match) gets 304 Not Modified and no body while nothing changed.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Bump when the task JSON's shape changes, so that clients' cached copies no longer match. */
const FORMAT = 1;

/** The list's tag: the user's tasks version (bumped by PostgreSQL on every change) names its content. */
export const listEtag = (version: bigint) => `W/"tasks-${FORMAT}-${version}"`;

/** A tag made from the body itself, for answers that are cheap to build. */
export const bodyEtag = (body: string) => `W/"${createHash('sha1').update(body).digest('base64url')}"`;

export function notModified(request: FastifyRequest, etag: string): boolean {
  const sent = request.headers['if-none-match'];
  return sent !== undefined && sent.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}

/** Private to the user, and checked with the server before each reuse. */
export const tagged = (reply: FastifyReply, etag: string) => reply.header('etag', etag).header('cache-control', 'private, no-cache');

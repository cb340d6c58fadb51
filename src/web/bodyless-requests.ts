// Several HTTP clients send a Content-Type header on requests that carry no body (GET,
// DELETE, sometimes an empty POST). Fastify would then run that type's parser on nothing:
// an empty JSON body is a 400, an empty multipart body a 500 from busboy. A request without
// a body has no content to type, so the header is dropped before parsing; the route then
// answers as for any request without a body (a 400 naming the missing fields, or the 415
// of the upload route).
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';

const hasBody = ({ headers }: FastifyRequest) =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');

export async function ignoreTypeOfMissingBody(request: FastifyRequest): Promise<void> {
  const contentType = request.headers['content-type'];
  if (contentType === undefined) return;
  if (!hasBody(request)) {
    delete request.headers['content-type'];
    return;
  }
  if (/^multipart\/form-data/i.test(contentType) && !/;\s*boundary=/i.test(contentType)) {
    throw new HttpError(400, 'The Content-Type multipart/form-data needs its boundary parameter (multipart/form-data; boundary=...); most HTTP clients add it when you let them set the header');
  }
}

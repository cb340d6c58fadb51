// POST /api/uploads: presigned URLs for the client to put a file straight into S3; the web
// tier only checks, signs and records. Up to UPLOAD_PART_BYTES one PUT, above it S3 multipart.
// The declared size is signed into every URL (Content-Length), so S3 refuses any other size.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sourceFormat } from '../../audio/formats.ts';
import { abortMultipartUpload, startMultipartUpload, uploadKey } from '../../storage/s3.ts';
import { createUpload } from '../../uploads/records.ts';
import { notAudio, tooLarge } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { NewUploadSchema, UploadSchema, type UploadJson } from '../schemas/upload.ts';

/** S3 takes at most 10,000 parts; larger files get larger parts. */
const MAX_PARTS = 10_000;

const uploads: FastifyPluginAsyncTypebox = async (app) => {
  const { S3_BUCKET: bucket, MAX_UPLOAD_BYTES: limit, UPLOAD_PART_BYTES: threshold, UPLOAD_URL_TTL_SECONDS: ttl } = app.config;

  app.post(
    '/api/uploads',
    {
      schema: {
        tags: ['uploads'],
        summary: 'Presigned URLs to put a file straight into S3',
        description: [
          `Then PUT the file to S3 (or each part, then POST the part list to completeUrl) and create the task with POST /api/tasks {uploadId, newFormat}. Files up to ${threshold} bytes get one PUT URL, larger ones S3 multipart. The URLs expire after ${ttl} s.`,
          '```sh',
          `UP=$(curl -s -H "$H" -H 'content-type: application/json' -d '{"fileName":"song.wav","size":'$(stat -c %s song.wav)',"contentType":"audio/wav"}' $B/api/uploads)`,
          `curl -T song.wav -H 'content-type: audio/wav' "$(echo "$UP" | sed -E 's/.*"url":"([^"]+)".*/\\1/')"`,
          `curl -H "$H" -H 'content-type: application/json' -d '{"uploadId":"'$(echo "$UP" | sed -E 's/.*"uploadId":"([^"]+)".*/\\1/')'","newFormat":"mp3"}' $B/api/tasks`,
          '```',
        ].join('\n'),
        body: NewUploadSchema,
        response: { 201: UploadSchema, 400: ErrorSchema, 413: ErrorSchema, 415: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { fileName, size } = request.body;
      const format = sourceFormat(fileName);
      if (!format) throw notAudio(fileName);
      if (size > limit) throw tooLarge(limit);
      const contentType = request.body.contentType?.startsWith('audio/') ? request.body.contentType : 'application/octet-stream';
      const id = randomUUID();
      const key = uploadKey(request.userId, id, format);
      const expiresAt = new Date(Date.now() + ttl * 1000);
      let answer: UploadJson;
      let multipartId: string | null = null;
      if (size <= threshold) {
        const put = await app.s3Urls.put(key, size, contentType, ttl);
        answer = { uploadId: id, method: 'PUT', url: put.url, headers: put.headers, expiresAt: expiresAt.toISOString() };
      } else {
        multipartId = await startMultipartUpload(app.s3, bucket, key, contentType);
        const partSize = Math.max(threshold, Math.ceil(size / MAX_PARTS));
        const count = Math.ceil(size / partSize);
        const parts = await Promise.all(
          Array.from({ length: count }, async (_, i) => {
            const bytes = i === count - 1 ? size - partSize * i : partSize;
            return { partNumber: i + 1, url: (await app.s3Urls.uploadPart(key, multipartId!, i + 1, bytes, ttl)).url };
          }),
        );
        const complete = await app.s3Urls.completeMultipart(key, multipartId, ttl);
        answer = { uploadId: id, method: 'multipart', partSize, parts, completeUrl: complete.url, expiresAt: expiresAt.toISOString() };
      }
      try {
        await createUpload(app.db, { id, userId: request.userId, fileName, sourceFormat: format, contentType, objectKey: key, bytes: size, multipartId, expiresAt });
      } catch (error) {
        if (multipartId) await abortMultipartUpload(app.s3, bucket, key, multipartId).catch(() => {}); // the record is what the sweeper would find
        throw error;
      }
      return reply.code(201).send(answer);
    },
  );
};

export default uploads;

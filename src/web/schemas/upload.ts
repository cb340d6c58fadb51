// Direct uploads: what POST /api/uploads takes and answers, and the JSON form of POST /api/tasks.
import Type from 'typebox';
import { ConversionFields } from './conversion.ts';

const Uuid = Type.String({ format: 'uuid', description: 'the uploadId that POST /api/uploads returned' });

export const NewUploadSchema = Type.Object({
  fileName: Type.String({ minLength: 1, maxLength: 1024, description: 'the file name; its extension names the audio format' }),
  size: Type.Integer({ minimum: 1, description: 'the exact size in bytes; it is signed into the URLs' }),
  contentType: Type.Optional(Type.String({ pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 255, description: 'e.g. audio/wav; stored for audio/* types' })),
});

const Headers = Type.Record(Type.String(), Type.String(), { description: 'send these headers as they are (they are signed), with Content-Length equal to the size' });

export const UploadSchema = Type.Object(
  {
    uploadId: Uuid,
    method: Type.Unsafe<'PUT' | 'multipart'>({ type: 'string', enum: ['PUT', 'multipart'], description: 'PUT: one request to `url`; multipart: each part to its URL, then POST to `completeUrl`' }),
    url: Type.Optional(Type.String({ description: 'PUT the whole file here' })),
    headers: Type.Optional(Headers),
    partSize: Type.Optional(Type.Integer({ description: 'bytes of every part but the last' })),
    parts: Type.Optional(Type.Array(Type.Object({ partNumber: Type.Integer(), url: Type.String() }), { description: 'PUT bytes [(partNumber-1)*partSize, partNumber*partSize) to url; keep each answer\'s ETag' })),
    completeUrl: Type.Optional(Type.String({ description: 'POST <CompleteMultipartUpload> with every part\'s PartNumber and ETag here' })),
    expiresAt: Type.String({ format: 'date-time', description: 'the URLs stop working then; make the task soon after' }),
  },
  { $id: 'Upload' },
);

export const TaskFromUploadSchema = Type.Object(
  {
    uploadId: Uuid,
    ...ConversionFields,
    webhookUrl: Type.Optional(Type.String({ maxLength: 2048, description: 'called when the task ends, signed with the `webhookSecret` of the reply' })),
  },
  { additionalProperties: true },
);

export type UploadJson = Type.Static<typeof UploadSchema>;
export type TaskFromUpload = Type.Static<typeof TaskFromUploadSchema>;

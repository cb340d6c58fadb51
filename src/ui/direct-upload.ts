/// <reference lib="dom" />
// Uploads straight to S3 with the presigned URLs of POST /api/uploads: one PUT, or part by
// part for large files, with progress from XHR upload events; then POST /api/tasks {uploadId}.
// When the page cannot reach S3 (a network or CORS failure), the caller falls back to the
// multipart POST through the service.
import type { UploadJson } from '../web/schemas/upload.ts';

/** S3 could not be reached from the page: the caller may send the file through the service instead. */
export class StorageUnreachable extends Error {
  override name = 'StorageUnreachable';
}

/** Refused by S3 (e.g. an expired URL): the message of its XML error. */
export class StorageRefused extends Error {
  override name = 'StorageRefused';
}

/** One request to S3 with XHR (the one browser API that reports upload progress); resolves to the ETag. */
function sendToStorage(method: string, url: string, headers: Record<string, string>, body: Blob | string | null, onProgress: (loaded: number) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) return resolve(request.getResponseHeader('etag'));
      const code = /<Message>([^<]*)<\/Message>/.exec(request.responseText)?.[1] ?? `S3 answered ${request.status}`;
      reject(new StorageRefused(`The upload was refused by storage: ${code}`));
    });
    request.addEventListener('error', () => reject(new StorageUnreachable('Storage cannot be reached from this page')));
    request.send(body);
  });
}

/** Puts `file` to S3 as `upload` says; onProgress gets the fraction of all bytes sent. */
export async function putToStorage(upload: UploadJson, file: File, onProgress: (fraction: number) => void): Promise<void> {
  if (upload.method === 'PUT') {
    await sendToStorage('PUT', upload.url!, upload.headers ?? {}, file, (loaded) => onProgress(loaded / file.size));
    return;
  }
  const sent = new Map<number, number>();
  const report = () => onProgress([...sent.values()].reduce((a, b) => a + b, 0) / file.size);
  const etags: string[] = [];
  // One part after another: the browser's connection is the limit, and each part's progress is exact.
  for (const part of upload.parts!) {
    const start = (part.partNumber - 1) * upload.partSize!;
    const etag = await sendToStorage('PUT', part.url, {}, file.slice(start, start + upload.partSize!), (loaded) => {
      sent.set(part.partNumber, loaded);
      report();
    });
    if (!etag) throw new StorageUnreachable('Storage does not show this page the ETag of a part (bucket CORS: ExposeHeaders ETag)');
    etags.push(etag);
  }
  const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('');
  await sendToStorage('POST', upload.completeUrl!, { 'content-type': 'application/xml' }, `<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`, () => {});
}

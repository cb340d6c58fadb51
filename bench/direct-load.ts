// One level of the direct-upload scenario (direct-upload.ts), in its own process as load.ts:
// `connections` loops for `seconds`, each upload either the direct flow (ask for a URL, PUT
// it to S3, create the task) or a plain PutObject of the same bytes. The same client code for
// both, so the ratio compares the flows, not the load generators. Prints one JSON line.
import { readFileSync } from 'node:fs';

interface Options {
  mode: 'direct' | 'put';
  base: string;
  authorization: string;
  bucketUrl: string;
  file: string;
  connections: number;
  seconds: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const body = readFileSync(options.file);
const fileName = options.file.split('/').pop()!;
const json = { 'content-type': 'application/json', authorization: options.authorization };

async function direct(): Promise<void> {
  const asked = await fetch(`${options.base}/api/uploads`, { method: 'POST', headers: json, body: JSON.stringify({ fileName, size: body.length, contentType: 'audio/mpeg' }) });
  if (asked.status !== 201) throw new Error(`POST /api/uploads: ${asked.status} ${await asked.text()}`);
  const upload = (await asked.json()) as { uploadId: string; url: string; headers: Record<string, string> };
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
  if (put.status !== 200) throw new Error(`PUT: ${put.status} ${await put.text()}`);
  const task = await fetch(`${options.base}/api/tasks`, { method: 'POST', headers: json, body: JSON.stringify({ uploadId: upload.uploadId, newFormat: 'wav' }) });
  if (task.status !== 201) throw new Error(`POST /api/tasks: ${task.status} ${await task.text()}`);
}

let next = 0;
async function plain(): Promise<void> {
  const put = await fetch(`${options.bucketUrl}/plain/${process.pid}-${next++}.mp3`, { method: 'PUT', headers: { 'content-type': 'audio/mpeg' }, body });
  if (put.status !== 200) throw new Error(`PutObject: ${put.status}`);
  await put.arrayBuffer();
}

const deadline = performance.now() + options.seconds * 1000;
const started = performance.now();
let uploads = 0;
let errors = 0;
let firstError: string | undefined;
await Promise.all(
  Array.from({ length: options.connections }, async () => {
    while (performance.now() < deadline) {
      try {
        await (options.mode === 'direct' ? direct() : plain());
        uploads++;
      } catch (error) {
        errors++;
        firstError ??= String(error);
      }
    }
  }),
);
console.log(JSON.stringify({ uploads, errors, firstError, seconds: (performance.now() - started) / 1000 }));

// A stand-in for localstack/localstack:4.14.0 where no image can be pulled: one port (4566)
// that sends each AWS call, by the service named in its SigV4 signature, to fauxqs (S3, SQS)
// or aws-ses-v2-local (SES), and answers LocalStack's own /_localstack and /_aws/ses routes
// and bucket CORS (cors.ts).
// Run by Node's type stripping: erasable TypeScript only.
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildApp } from 'fauxqs';
import * as sesLocal from 'aws-ses-v2-local';
import { handleCors } from './cors.ts';
import { initReport, runStage } from './init-hooks.ts';
import { handleSentEmails, handleSes } from './ses.ts';

const PORT = Number(process.env.GATEWAY_PORT ?? 4566);
const FAUXQS_PORT = PORT + 1;
const SES_PORT = PORT + 2;
const VERSION = '4.14.0';
const SERVICES = (process.env.SERVICES ?? 's3,sqs,ses').split(',').map((s) => s.trim()).filter(Boolean);

const fauxqs = buildApp({ logger: false, host: 'localhost.localstack.cloud' });
await fauxqs.listen({ host: '127.0.0.1', port: FAUXQS_PORT });
// A CommonJS module with `exports.default`: plain Node puts the function one level down.
const sesModule = sesLocal as unknown as { default: { default: typeof import('aws-ses-v2-local').default } };
const startSes = sesModule.default.default;
const ses = await startSes({ host: '127.0.0.1', port: SES_PORT });
const SES_ORIGIN = `http://127.0.0.1:${SES_PORT}`;

/** The service and region a request is signed for: Authorization header, or a presigned URL's X-Amz-Credential. */
function signedFor(req: IncomingMessage): { service?: string; region: string } {
  const credential = /Credential=([^,\s]+)/.exec(req.headers.authorization ?? '')?.[1]
    ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('X-Amz-Credential') ?? '';
  const [, , region = 'us-east-1', service] = credential.split('/');
  return { service, region };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Passes the request to an emulator on loopback, keeping the Host header (fauxqs builds queue URLs from it). */
function proxy(req: IncomingMessage, res: ServerResponse, port: number, body?: Buffer): void {
  const headers = { ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (reply) => {
    res.writeHead(reply.statusCode ?? 502, reply.headers);
    reply.pipe(res);
  });
  upstream.once('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`stand-in: ${error.message}`);
  });
  if (body) upstream.end(body);
  else req.pipe(upstream);
}

function forwardSes(req: IncomingMessage, body: Buffer): Promise<{ status: number; text: string }> {
  return fetch(`${SES_ORIGIN}${req.url}`, { method: 'POST', headers: { 'content-type': String(req.headers['content-type']), authorization: String(req.headers.authorization) }, body: new Uint8Array(body) })
    .then(async (reply) => ({ status: reply.status, text: await reply.text() }));
}

/** LocalStack accepts a QueueUrl of any host; fauxqs looks queues up by their exact URL. */
function canonicalQueueUrls(body: Buffer, region: string, port: string): Buffer {
  const call = JSON.parse(body.toString('utf8') || '{}') as { QueueUrl?: string };
  if (!call.QueueUrl) return body;
  const [account, name] = new URL(call.QueueUrl).pathname.split('/').filter(Boolean);
  call.QueueUrl = `http://sqs.${region}.localhost.localstack.cloud:${port}/${account}/${name}`;
  return Buffer.from(JSON.stringify(call));
}

const bucketExists = async (bucket: string) => (await fetch(`http://127.0.0.1:${FAUXQS_PORT}/${encodeURIComponent(bucket)}`, { method: 'HEAD' })).ok;

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
  if (path === '/_localstack/health' || path === '/health') {
    if (req.method === 'HEAD') return void res.writeHead(200).end();
    return json(res, 200, { services: Object.fromEntries(SERVICES.map((s) => [s, 'running'])), edition: 'community', version: VERSION });
  }
  const init = /^\/_localstack\/init(?:\/([^/]+))?$/.exec(path);
  if (init) {
    const report = initReport(init[1]);
    return report ? json(res, 200, report) : void res.writeHead(404).end(`no such stage ${init[1]}`);
  }
  if (path === '/_aws/ses') return handleSentEmails(req, res, SES_ORIGIN);

  const { service, region } = signedFor(req);
  if (service === 'ses' || service === 'email') {
    if (req.url?.startsWith('/v2/')) return proxy(req, res, SES_PORT); // SES v2 (LocalStack Pro only)
    const body = await readBody(req);
    return handleSes(res, body, region, () => forwardSes(req, body));
  }
  if (service === 'sqs') {
    if (!String(req.headers['content-type']).includes('x-amz-json')) {
      res.writeHead(400, { 'content-type': 'text/xml' });
      return void res.end('<ErrorResponse><Error><Code>InvalidAction</Code><Message>This LocalStack stand-in speaks the SQS JSON protocol only (awslocal here does)</Message></Error></ErrorResponse>');
    }
    const port = (req.headers.host ?? '').split(':')[1] ?? String(PORT);
    return proxy(req, res, FAUXQS_PORT, canonicalQueueUrls(await readBody(req), region, port));
  }
  // S3, signed or not, as LocalStack treats unsigned calls (a browser's preflight among them).
  if (await handleCors(req, res, bucketExists)) return;
  return proxy(req, res, FAUXQS_PORT);
}

const gateway = createServer((req, res) => {
  route(req, res).catch((error: Error) => {
    console.error(`stand-in: ${req.method} ${req.url}: ${error.stack}`);
    if (!res.headersSent) json(res, 500, { __type: 'InternalError', message: error.message, requestId: randomUUID() });
    else res.destroy();
  });
});
await runStage('BOOT');
await runStage('START');
await new Promise<void>((resolve) => gateway.listen(PORT, '0.0.0.0', resolve));
console.log('Ready.');
await runStage('READY');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void runStage('SHUTDOWN').then(async () => {
      gateway.close();
      ses.close();
      await fauxqs.close();
      process.exit(0);
    });
  });
}

// Bucket CORS as LocalStack serves it; fauxqs has none (it takes PUT ?cors for CreateBucket and
// GET ?cors for ListObjects). Put/Get/DeleteBucketCors keep each bucket's rules here, a browser's
// preflight is answered by them, and other requests from an allowed origin get the headers a page
// needs to read the answer. Path-style addressing only, as the AWS CLI and the app use here.
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Rule {
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  maxAge?: string;
}

const configs = new Map<string, { xml: string; rules: Rule[] }>();

const values = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!.trim());

function parse(xml: string): Rule[] {
  return [...xml.matchAll(/<CORSRule>([\s\S]*?)<\/CORSRule>/g)].map(([, rule = '']) => ({
    origins: values(rule, 'AllowedOrigin'),
    methods: values(rule, 'AllowedMethod'),
    headers: values(rule, 'AllowedHeader'),
    expose: values(rule, 'ExposeHeader'),
    maxAge: values(rule, 'MaxAgeSeconds')[0],
  }));
}

/** S3's patterns: literal but for at most one `*`; header names case-insensitively. */
const matches = (patterns: string[], value: string) =>
  patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i').test(value));

function error(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).once('end', () => resolve(body)).once('error', reject);
  });
}

async function corsCall(req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
  if (req.method === 'PUT') {
    const xml = await readBody(req);
    const rules = parse(xml);
    if (rules.length === 0 || rules.some((r) => !r.origins.length || !r.methods.length)) return error(res, 400, 'MalformedXML', 'Each CORSRule needs an AllowedOrigin and an AllowedMethod');
    configs.set(bucket, { xml, rules });
    return void res.writeHead(200).end();
  }
  if (req.method === 'DELETE') {
    configs.delete(bucket);
    return void res.writeHead(204).end();
  }
  const config = configs.get(bucket);
  if (!config) return error(res, 404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist');
  res.writeHead(200, { 'content-type': 'application/xml' }).end(config.xml);
}

function preflight(req: IncomingMessage, res: ServerResponse, rules: Rule[], origin: string): void {
  const method = String(req.headers['access-control-request-method']);
  const asked = String(req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const rule = rules.find((r) => matches(r.origins, origin) && r.methods.includes(method) && asked.every((h) => matches(r.headers, h)));
  if (!rule) return error(res, 403, 'AccessForbidden', "CORSResponse: This CORS request is not allowed by the bucket's CORS rules");
  res.writeHead(200, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': rule.methods.join(', '),
    ...(asked.length ? { 'access-control-allow-headers': asked.join(', ') } : {}),
    ...(rule.expose.length ? { 'access-control-expose-headers': rule.expose.join(', ') } : {}),
    ...(rule.maxAge ? { 'access-control-max-age': rule.maxAge } : {}),
    'access-control-allow-credentials': 'true',
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  });
  res.end();
}

/** Answers an S3 request about CORS and returns true; for any other, adds the CORS headers its answer needs to res. */
export async function handleCors(req: IncomingMessage, res: ServerResponse, bucketExists: (bucket: string) => Promise<boolean>): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (!bucket) return false;
  if (url.searchParams.has('cors') && url.pathname.replace(/\/+$/, '') === `/${bucket}`) {
    if (await bucketExists(bucket)) await corsCall(req, res, bucket);
    else error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
    return true;
  }
  const rules = configs.get(bucket)?.rules ?? [];
  const origin = req.headers.origin;
  if (!origin) return false;
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    preflight(req, res, rules, origin);
    return true;
  }
  const rule = rules.find((r) => matches(r.origins, origin) && r.methods.includes(req.method ?? ''));
  if (rule) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    if (rule.expose.length) res.setHeader('access-control-expose-headers', rule.expose.join(', '));
    res.setHeader('vary', 'Origin');
  }
  return false;
}

// One webhook attempt: a signed POST (Standard Webhooks, via the `standardwebhooks` library)
// through an undici Agent whose lookup refuses non-public addresses. Redirects are not
// followed (a 3xx is a failed attempt), the attempt has a connect and a total timeout, and
// at most RESPONSE_BYTES of the reply are read, only to show in the delivery log.
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { BlockedAddressError, guardedLookup, isPublicAddress, type Resolver } from './address-guard.ts';

const RESPONSE_BYTES = 4096;

export interface SendOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** Name resolution; tests inject one to map names to addresses without DNS. */
  resolve?: Resolver;
}

export interface Attempt {
  ok: boolean;
  statusCode: number | null;
  /** What went wrong, for the delivery log; null when delivered. */
  error: string | null;
}

export interface SignedMessage {
  url: string;
  secret: string;
  messageId: string;
  body: string;
}

export function createSender(options: SendOptions) {
  const connectTimeout = Math.min(5000, options.timeoutMs);
  const agent = new Agent({
    connect: { timeout: connectTimeout, lookup: guardedLookup(options.allowPrivate, options.resolve) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connections: 8,
  });

  async function send(message: SignedMessage): Promise<Attempt> {
    const url = new URL(message.url);
    // A literal address never reaches the lookup: check it here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !options.allowPrivate && !isPublicAddress(host)) {
      return { ok: false, statusCode: null, error: `${host} is a loopback, private or link-local address; webhooks may only call public addresses` };
    }
    const now = new Date();
    const signature = new Webhook(message.secret).sign(message.messageId, now, message.body);
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: {
          'webhook-id': message.messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
          'content-type': 'application/json', 'user-agent': 'cloud-conversion-tool-webhooks/1',
        },
        body: message.body,
      });
      const excerpt = await readAtMost(response.body, RESPONSE_BYTES);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      const redirect = response.statusCode >= 300 && response.statusCode < 400 ? ' (redirects are not followed)' : '';
      return { ok, statusCode: response.statusCode, error: ok ? null : `HTTP ${response.statusCode}${redirect}${excerpt ? `: ${excerpt}` : ''}` };
    } catch (error) {
      return { ok: false, statusCode: null, error: describe(error) };
    }
  }

  return { send, close: () => agent.close() };
}

export type Sender = ReturnType<typeof createSender>;

async function readAtMost(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) break; // leaving the loop destroys the stream: the rest is never read
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof BlockedAddressError) return cause.message;
  if (error instanceof BlockedAddressError) return error.message;
  const e = error as { name?: string; code?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer within the timeout';
  if (e.code === 'UND_ERR_CONNECT_TIMEOUT') return 'could not connect within the timeout';
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? error);
}

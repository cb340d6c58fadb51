// SES v1 as LocalStack answers it: identities are kept here (aws-ses-v2-local has none, and
// hangs on those calls), mail from an unverified sender is rejected as moto does, accepted
// mail goes to aws-ses-v2-local, and GET/DELETE /_aws/ses show its store in LocalStack's shape.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

const NS = 'http://ses.amazonaws.com/doc/2010-12-01/';
const identities = new Set<string>();
const regions = new Map<string, string>(); // messageId -> region it was sent in
const hidden = new Set<string>(); // ids deleted one by one through DELETE /_aws/ses?id=

const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function xml(res: ServerResponse, action: string, result = ''): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(`<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
}

function xmlError(res: ServerResponse, code: string, message: string): void {
  res.writeHead(400, { 'content-type': 'text/xml' });
  res.end(`<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
}

const members = (form: URLSearchParams, prefix: string) =>
  [...form.entries()].filter(([key]) => key.startsWith(`${prefix}.member.`)).map(([, value]) => value);

/** The address in "Name <a@b>" or "a@b". */
const address = (source: string) => /<([^>]+)>/.exec(source)?.[1] ?? source.trim();
const isVerified = (source: string) => identities.has(address(source)) || identities.has(address(source).split('@')[1] ?? '');

/** Handles one SES v1 (query protocol) call; `forward` passes it to aws-ses-v2-local and returns its reply. */
export async function handleSes(res: ServerResponse, body: Buffer, region: string, forward: () => Promise<{ status: number; text: string }>): Promise<void> {
  const form = new URLSearchParams(body.toString('utf8'));
  const action = form.get('Action') ?? '';
  switch (action) {
    case 'VerifyEmailIdentity':
    case 'VerifyEmailAddress':
      identities.add(form.get('EmailAddress') ?? '');
      return xml(res, action);
    case 'VerifyDomainIdentity':
      identities.add(form.get('Domain') ?? '');
      return xml(res, action, `<VerificationToken>${randomUUID().replace(/-/g, '')}</VerificationToken>`);
    case 'DeleteIdentity':
      identities.delete(form.get('Identity') ?? '');
      return xml(res, action);
    case 'ListIdentities':
      return xml(res, action, `<Identities>${[...identities].map((i) => `<member>${escape(i)}</member>`).join('')}</Identities>`);
    case 'GetIdentityVerificationAttributes': {
      const entries = members(form, 'Identities')
        .filter((i) => identities.has(i))
        .map((i) => `<entry><key>${escape(i)}</key><value><VerificationStatus>Success</VerificationStatus></value></entry>`);
      return xml(res, action, `<VerificationAttributes>${entries.join('')}</VerificationAttributes>`);
    }
    case 'SendEmail':
    case 'SendRawEmail': {
      const source = form.get('Source') ?? '';
      if (action === 'SendEmail' && !isVerified(source)) return xmlError(res, 'MessageRejected', `Email address not verified ${source}`);
      const reply = await forward();
      const id = /<MessageId>([^<]+)<\/MessageId>/.exec(reply.text)?.[1];
      if (id) regions.set(id, region);
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      return void res.end(reply.text);
    }
    default:
      return xmlError(res, 'InvalidAction', `The SES action ${action || '(none)'} is not served by this LocalStack stand-in`);
  }
}

/** GET /_aws/ses[?id=&email=] and DELETE /_aws/ses[?id=], from aws-ses-v2-local's /store. */
export async function handleSentEmails(req: IncomingMessage, res: ServerResponse, sesOrigin: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const id = url.searchParams.get('id');
  if (req.method === 'DELETE') {
    if (id) hidden.add(id);
    else await fetch(`${sesOrigin}/clear-store`, { method: 'POST' });
    res.writeHead(204).end();
    return;
  }
  const { emails } = (await (await fetch(`${sesOrigin}/store`)).json()) as { emails: StoredEmail[] };
  const source = url.searchParams.get('email');
  const messages = emails
    .filter((e) => !hidden.has(e.messageId) && (!id || e.messageId === id) && (!source || e.from === source))
    .map((e) => ({
      Id: e.messageId,
      Region: regions.get(e.messageId) ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      Destination: { ToAddresses: e.destination.to, CcAddresses: e.destination.cc, BccAddresses: e.destination.bcc },
      Source: e.from,
      Subject: e.subject,
      Body: { text_part: e.body.text ?? null, html_part: e.body.html ?? null },
      Timestamp: new Date(e.at * 1000).toISOString().slice(0, 19),
    }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ messages }));
}

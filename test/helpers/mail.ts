// The mail SES was asked to send, from whichever emulator holds it: LocalStack (or the replica's
// stand-in) answers GET /_aws/ses, aws-ses-v2-local (the embedded stack) GET /store.
export interface SentEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

interface LocalStackEmail {
  Source: string;
  Destination: { ToAddresses?: string[] };
  Subject: string;
  Body: { text_part: string | null; html_part: string | null };
}
interface StoreEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

const kinds = new Map<string, 'localstack' | 'store'>();

/** Every email held by the SES emulator at `endpoint`, oldest first. */
export async function sentEmails(endpoint: string): Promise<SentEmail[]> {
  if (kinds.get(endpoint) !== 'store') {
    const response = await fetch(`${endpoint}/_aws/ses`);
    if (response.ok) {
      kinds.set(endpoint, 'localstack');
      const { messages } = (await response.json()) as { messages: LocalStackEmail[] };
      return messages.map((m) => ({ from: m.Source, to: m.Destination.ToAddresses ?? [], subject: m.Subject, text: m.Body.text_part ?? '', html: m.Body.html_part ?? '' }));
    }
    await response.body?.cancel();
    kinds.set(endpoint, 'store');
  }
  const { emails } = (await (await fetch(`${endpoint}/store`)).json()) as { emails: StoreEmail[] };
  return emails.map((e) => ({ from: e.from, to: e.destination.to, subject: e.subject, text: e.body.text ?? '', html: e.body.html ?? '' }));
}

/** The run's SES endpoint, as the app finds it (test/run.ts sets it). */
const runEndpoint = () => process.env.AWS_ENDPOINT_URL_SES ?? process.env.AWS_ENDPOINT_URL ?? '';

export async function emailsTo(address: string, endpoint = runEndpoint()): Promise<SentEmail[]> {
  return (await sentEmails(endpoint)).filter((e) => e.to.includes(address));
}

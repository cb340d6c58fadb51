// Outgoing email through SES. The v1 SendEmail API, not v2: LocalStack's free image
// (the Compose replica) has only v1; AWS and the dev emulator take both.
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Config } from '../config.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function createSes(config: Config): SESClient {
  return new SESClient({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_SES ?? config.AWS_ENDPOINT_URL });
}

export async function sendEmail(ses: SESClient, from: string, email: Email): Promise<void> {
  await ses.send(
    new SendEmailCommand({
      Source: from,
      Destination: { ToAddresses: [email.to] },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
    }),
  );
}

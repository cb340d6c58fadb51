// Outgoing email through SES v2 (the emulator in dev and tests).
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../config.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export function createSes(config: Config): SESv2Client {
  return new SESv2Client({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_SES ?? config.AWS_ENDPOINT_URL });
}

export async function sendEmail(ses: SESv2Client, from: string, email: Email): Promise<void> {
  await ses.send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [email.to] },
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        },
      },
    }),
  );
}

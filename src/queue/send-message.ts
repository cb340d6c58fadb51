// SendMessage as one signed HTTP request: SQS's JSON protocol, signed with the SDK's own
// SigV4 signer (@smithy/signature-v4) and the SQS client's credentials (they refresh
// themselves on AWS), sent with undici. Every upload sends one; through the SDK's command
// stack that cost about 2 ms of the web process's CPU, this about 0.7 (docs/benchmarks.md).
// Everything else about the queue (receiving, deleting, attributes) stays with the SDK.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent, request } from 'undici';
import type { Config } from '../config.ts';

export type SendMessage = ((queueUrl: string, body: string) => Promise<void>) & {
  /** Closes its connections: kept alive, they would hold a stopping process open. */
  close(): Promise<void>;
};

/** Fails, like the SDK, on any answer but 200; a queue that hangs fails after TIMEOUT_MS. */
const TIMEOUT_MS = 10_000;

export function createMessageSender(config: Config, sqs: SQSClient): SendMessage {
  const endpoint = new URL(config.AWS_ENDPOINT_URL_SQS ?? config.AWS_ENDPOINT_URL ?? `https://sqs.${config.AWS_REGION}.amazonaws.com`);
  const signer = new SignatureV4({ service: 'sqs', region: config.AWS_REGION, credentials: sqs.config.credentials, sha256: sqs.config.sha256 });
  const agent = new Agent();
  const send = async (queueUrl: string, messageBody: string) => {
    const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: messageBody });
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body,
    });
    const answer = await request(endpoint, { dispatcher: agent, method: 'POST', headers: signed.headers, body, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) throw Object.assign(new Error(`SQS SendMessage answered ${answer.statusCode}: ${text.slice(0, 300)}`), { name: 'SqsSendError' });
  };
  return Object.assign(send, { close: () => agent.close() });
}

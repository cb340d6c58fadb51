// A webhook URL from a request: refused with a 400 that says why (scheme, or an address that
// is not public). Delivery checks the resolved address again, on the connection itself.
import type { Config } from '../config.ts';
import type { TaskWebhook } from '../tasks/transitions.ts';
import { webhookUrlProblem } from '../webhooks/address-guard.ts';
import { newSecret } from '../webhooks/endpoints.ts';
import { HttpError } from './errors.ts';

export async function checkedWebhookUrl(config: Config, url: string): Promise<string> {
  const problem = await webhookUrlProblem(url, config.WEBHOOK_ALLOW_PRIVATE);
  if (problem) throw new HttpError(400, `webhookUrl: ${problem}`);
  return url;
}

/** The task's own webhook when the request names one: its checked URL and a new signing secret. */
export async function taskWebhook(config: Config, url: string | undefined): Promise<TaskWebhook | undefined> {
  return url ? { url: await checkedWebhookUrl(config, url), secret: newSecret() } : undefined;
}

// Drains the webhook delivery table: each worker takes due rows (SKIP LOCKED, with a lease),
// sends them, and records the outcome. A failed attempt is retried after
// WEBHOOK_RETRY_BASE_SECONDS × 2^(attempt − 1); after WEBHOOK_MAX_ATTEMPTS the event is given
// up, its endpoint disabled and the owner emailed once.
import { sendEmail, type Email } from '../mail/ses.ts';
import { claimDueDeliveries, disableEndpoint, markDelivered, markFailed, scheduleRetry, type DueDelivery } from '../webhooks/deliveries.ts';
import type { Resolver } from '../webhooks/address-guard.ts';
import { createSender, type Sender } from '../webhooks/send.ts';
import type { WorkerDeps } from './deps.ts';
import { escapeHtml } from './notify.ts';

const BATCH = 20;
const IDLE_POLL_MS = 1000;

export const retryDelayMs = (baseSeconds: number, attempts: number) => baseSeconds * 1000 * 2 ** (attempts - 1);

export function webhookSender(deps: WorkerDeps, resolve?: Resolver): Sender {
  return createSender({ allowPrivate: deps.config.WEBHOOK_ALLOW_PRIVATE, timeoutMs: deps.config.WEBHOOK_TIMEOUT_SECONDS * 1000, resolve });
}

/** Sends what is due now; returns how many deliveries it attempted. */
export async function deliverDue(deps: WorkerDeps, sender: Sender, take = BATCH): Promise<number> {
  // Longer than an attempt can take, so that no other worker sends the same row meanwhile.
  const leaseMs = deps.config.WEBHOOK_TIMEOUT_SECONDS * 2000 + 30_000;
  const due = await claimDueDeliveries(deps.db, take, leaseMs);
  await Promise.all(due.map((delivery) => deliverOne(deps, sender, delivery)));
  return due.length;
}

async function deliverOne(deps: WorkerDeps, sender: Sender, delivery: DueDelivery): Promise<void> {
  const { db, config } = deps;
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: delivery.endpointId }, select: { url: true, secret: true, disabledAt: true } });
  if (!endpoint) return; // deleted meanwhile, and its deliveries with it
  if (endpoint.disabledAt) return markFailed(db, delivery.id, null, 'not sent: the endpoint is disabled');
  const attempt = await sender.send({ url: endpoint.url, secret: endpoint.secret, messageId: delivery.messageId, body: JSON.stringify(delivery.payload) });
  if (attempt.ok) return markDelivered(db, delivery.id, attempt.statusCode);
  const error = attempt.error ?? 'failed';
  if (delivery.attempts < config.WEBHOOK_MAX_ATTEMPTS) {
    const retryAt = new Date(Date.now() + retryDelayMs(config.WEBHOOK_RETRY_BASE_SECONDS, delivery.attempts));
    return scheduleRetry(db, delivery.id, attempt.statusCode, error, retryAt);
  }
  await markFailed(db, delivery.id, attempt.statusCode, `given up after ${delivery.attempts} attempts: ${error}`);
  const disabled = await disableEndpoint(db, delivery.endpointId);
  if (!disabled) return;
  deps.log.warn({ endpointId: delivery.endpointId }, 'webhook endpoint disabled');
  await sendEmail(deps.ses, config.SES_FROM, disabledEmail(disabled.email, disabled.url, error, config.PUBLIC_BASE_URL)).catch((err: Error) => deps.log.error({ err, endpointId: delivery.endpointId }, 'could not email the owner of a disabled webhook'));
}

export function disabledEmail(to: string, url: string, error: string, baseUrl: string): Email {
  const what = `Deliveries to ${url} kept failing for about a day (last: ${error}), so the endpoint was disabled and no more events are sent to it.`;
  const next = `Fix the receiver, then register it again with POST ${baseUrl}/api/webhooks; GET /api/tasks/:id/deliveries shows what was not delivered.`;
  return { to, subject: 'Your webhook endpoint was disabled', text: `${what}\n\n${next}\n`, html: `<p>${escapeHtml(what)}</p><p>${escapeHtml(next)}</p>` };
}

/** Delivers continuously: at once again after a full batch, else after a short pause. */
export function startDeliveryLoop(deps: WorkerDeps) {
  const sender = webhookSender(deps);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = deliverDue(deps, sender)
      .catch((err: Error) => (deps.log.warn({ err }, 'webhook delivery failed'), 0))
      .then((count) => {
        if (!stopped) timer = setTimeout(tick, count === BATCH ? 0 : IDLE_POLL_MS);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await sender.close();
    },
  };
}

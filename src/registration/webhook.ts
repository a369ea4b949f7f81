/**
 * The office's webhook: each case handed off is POSTed as JSON
 * `{ "event": "registration", "registration": {…} }` with the outbox item's id as the
 * `Idempotency-Key` header, so a resend after a crash (same id) can be recognised and
 * dropped by the receiver. Questions to officers go to Telegram groups only. Throwing means
 * "not delivered, retry later".
 *
 * @example
 * const toWebhooks = webhookHandoff({ registration, destinations });
 * await toWebhooks(item); // no-op when the item's destination has no webhookUrl
 */
import type { Deliver } from "./outbox.ts";
import { readHandoff, type HandoffSource } from "./deliver.ts";

export interface WebhookHandoffOptions extends HandoffSource {
  fetch?: typeof fetch;
}

export function webhookHandoff(options: WebhookHandoffOptions): Deliver {
  const doFetch = options.fetch ?? fetch;
  return async (item) => {
    const handoff = await readHandoff(item, options);
    if (!handoff?.destination.webhookUrl || handoff.question) return;
    const res = await doFetch(handoff.destination.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": item.id },
      body: JSON.stringify({ event: "registration", registration: handoff.reg }),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}: check the office's webhookUrl in OFFICES_FILE; retried with backoff`);
  };
}

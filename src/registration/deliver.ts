/**
 * What a hand-off carries, for whoever sends it: the outbox item's destination, the case
 * and, for a worker's question, the question — read when sending, since outbox items
 * carry ids only. Senders for each kind of destination (the office's webhook here in
 * webhook.ts; its Telegram group in src/channels/telegram/handoff.ts) are combined into
 * the outbox's one `Deliver` port by `deliverAll`. Nothing here renders platform markup.
 *
 * @example
 * const deliver = deliverAll(telegramHandoff, webhookHandoff);
 * void outbox.run({ deliver, signal });
 */
import type { Deliver, Delivery } from "./outbox.ts";
import { destinationFor, type Destination, type Destinations } from "./routing.ts";
import { QUESTION_ID_RE, type OfficerQuestion, type RegistrationService } from "./service.ts";
import type { Registration } from "./types.ts";

export interface HandoffSource {
  /** Cases and questions. */
  registration: Pick<RegistrationService, "store" | "question">;
  destinations: Destinations;
}

export interface Handoff {
  destination: Destination;
  reg: Registration;
  /** Set when the item is a worker's question ("<case id>#Q<n>") rather than a case card. */
  question?: OfficerQuestion;
}

/**
 * The destination, case and question of an outbox item. Undefined when the worker deleted
 * their data before delivery: nothing personal is left to hand off, and the item is done.
 * Throws when the destination is gone from the offices config (retried: a config fix and a
 * restart deliver it).
 */
export async function readHandoff(item: Delivery, source: HandoffSource): Promise<Handoff | undefined> {
  const destination = destinationFor(item.destinationKey, source.destinations);
  if (!destination) throw new Error(`no destination "${item.destinationKey}" in the offices config: add it to OFFICES_FILE, or the item waits`);
  const isQuestion = QUESTION_ID_RE.test(item.caseId);
  const question = isQuestion ? await source.registration.question(item.caseId) : undefined;
  if (isQuestion && !question) return undefined;
  const reg = await source.registration.store.get(question?.caseId ?? item.caseId);
  if (!reg) return undefined;
  return question ? { destination, reg, question } : { destination, reg };
}

/**
 * One `Deliver` from several senders, run in order; the item counts as delivered once all
 * of them accepted it (a failure is retried by the outbox, with every sender again).
 */
export function deliverAll(...senders: Deliver[]): Deliver {
  return async (item) => {
    for (const send of senders) await send(item);
  };
}

/**
 * How a hand-off reaches an office: a case card (with status buttons) in the office's
 * Telegram group, and/or a JSON POST to its webhook with an Idempotency-Key, so a resend
 * after a crash can be recognised. Throwing means "not delivered, retry later".
 */
import type { Api } from "grammy";
import type { KnowledgeBase } from "../knowledge/load.ts";
import { caseCardHtml, caseKeyboard } from "../channels/telegram/officers.ts";
import type { Delivery } from "./outbox.ts";
import { destinationFor, type Destinations } from "./routing.ts";
import type { RegistrationStore } from "./store.ts";
import { QUESTION_ID_RE, type RegistrationService } from "./service.ts";
import { escapeHtml } from "../text/wording.ts";

export interface DeliverOptions {
  kb: KnowledgeBase;
  store: RegistrationStore;
  /** For questions to officers ("hỏi cán bộ"): their text and where replies go. */
  registration?: RegistrationService;
  destinations: Destinations;
  /** The Telegram Bot API, when the bot runs; without it Telegram destinations wait. */
  telegram?: Api;
  fetch?: typeof fetch;
}

export function makeDeliver(options: DeliverOptions): (item: Delivery) => Promise<void> {
  const doFetch = options.fetch ?? fetch;
  return async (item) => {
    const destination = destinationFor(item.destinationKey, options.destinations);
    if (!destination) throw new Error(`no destination "${item.destinationKey}" in the offices config`);
    const question = QUESTION_ID_RE.test(item.caseId) ? await options.registration?.question(item.caseId) : undefined;
    const reg = await options.store.get(question?.caseId ?? item.caseId.replace(/#Q\d+$/, ""));
    // The worker deleted their data before delivery: nothing personal left to hand off.
    if (!reg || (QUESTION_ID_RE.test(item.caseId) && !question)) return;
    if (question) {
      if (destination.telegramChatId === undefined) return;
      if (!options.telegram) throw new Error("the Telegram bot is not running: set TELEGRAM_BOT_TOKEN");
      const sent = await options.telegram.sendMessage(
        destination.telegramChatId,
        `<b>Câu hỏi ${escapeHtml(question.id)}</b> từ ${escapeHtml(reg.fullName)}:\n${escapeHtml(question.text)}\n<i>Trả lời bằng cách bấm Trả lời (reply) vào tin này.</i>`,
        { parse_mode: "HTML" },
      );
      // The officer's reply to this message goes back to the worker (officers.ts).
      await options.registration!.rememberQuestionMessage(destination.telegramChatId, sent.message_id, question.id);
      return;
    }
    if (destination.telegramChatId !== undefined) {
      if (!options.telegram) throw new Error("the Telegram bot is not running: set TELEGRAM_BOT_TOKEN");
      await options.telegram.sendMessage(destination.telegramChatId, caseCardHtml(options.kb, reg, item.inDoubt), {
        parse_mode: "HTML",
        reply_markup: caseKeyboard(reg.id),
      });
    }
    if (destination.webhookUrl) {
      const res = await doFetch(destination.webhookUrl, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": item.id },
        body: JSON.stringify({ event: "registration", registration: reg }),
      });
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    }
  };
}

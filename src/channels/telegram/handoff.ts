/**
 * Hand-offs to an office's Telegram group: a case card with its status buttons, or a
 * worker's question, which officers answer by replying to it (officers.ts sends the reply
 * back). One of the outbox's senders (src/registration/deliver.ts: `deliverAll`); throwing
 * means "not delivered, retry later".
 *
 * @example
 * const deliver = deliverAll(telegramHandoff({ kb, registration, destinations, api: bot.api }), webhookHandoff(...));
 */
import type { Api } from "grammy";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { readHandoff, type HandoffSource } from "../../registration/deliver.ts";
import type { Deliver } from "../../registration/outbox.ts";
import type { RegistrationService } from "../../registration/service.ts";
import { caseCardHtml, caseKeyboard, questionCardHtml } from "./case-card.ts";

export interface TelegramHandoffOptions extends HandoffSource {
  kb: KnowledgeBase;
  /** Also remembers which group message carries which question, for the officers' replies. */
  registration: HandoffSource["registration"] & Pick<RegistrationService, "rememberQuestionMessage">;
  /** The Telegram Bot API, when the bot runs; without it Telegram destinations wait (and are retried). */
  api?: Api;
}

export function telegramHandoff(options: TelegramHandoffOptions): Deliver {
  const { kb, registration } = options;
  return async (item) => {
    const handoff = await readHandoff(item, options);
    const chatId = handoff?.destination.telegramChatId;
    if (!handoff || chatId === undefined) return;
    if (!options.api) throw new Error("the Telegram bot is not running: set TELEGRAM_BOT_TOKEN, or remove telegramChatId from this office in OFFICES_FILE");
    if (handoff.question) {
      const sent = await options.api.sendMessage(chatId, questionCardHtml(kb, handoff.question, handoff.reg), { parse_mode: "HTML" });
      // The officer's reply to this message goes back to the worker (officers.ts).
      await registration.rememberQuestionMessage(chatId, sent.message_id, handoff.question.id);
      return;
    }
    await options.api.sendMessage(chatId, caseCardHtml(kb, handoff.reg, item.inDoubt), { parse_mode: "HTML", reply_markup: caseKeyboard(kb, handoff.reg.id) });
  };
}

/**
 * The channels' wording, `prompts/channels.yaml`: what the shared runtime says (an old
 * button), and each platform's own part (Telegram's command menu, Zalo's option headers,
 * the web page and its API errors) — each part's schema sits next to the code using it.
 * Officers' wording is a file of its own (telegram/officer-texts.ts).
 *
 * @example
 * const texts = channelTexts(engine.index.kb); // validated once, then cached
 * texts.choice_expired;
 */
import { z } from "zod";
import { defineTexts, template } from "../knowledge/texts.ts";
import { telegramTextsSchema } from "./telegram/texts.ts";
import { webTextsSchema } from "./web/texts.ts";
import { zaloTextsSchema } from "./zalo/texts.ts";

export const channelTextsSchema = z.object({
  /** A button whose choices are no longer kept (expired, or from before a restart without a store). */
  choice_expired: template,
  telegram: telegramTextsSchema,
  zalo: zaloTextsSchema,
  web: webTextsSchema,
});

export const channelTexts = defineTexts("channels", channelTextsSchema);

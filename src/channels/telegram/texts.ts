/**
 * The Telegram channel's wording (`telegram:` in prompts/channels.yaml): the command menu
 * Telegram shows next to the text box. The commands themselves are the engine's; only
 * their descriptions are wording.
 *
 * @example
 * await bot.api.setMyCommands(commandMenu(engine.index.kb));
 */
import { z } from "zod";
import { template } from "../../knowledge/texts.ts";

export const telegramTextsSchema = z.object({
  commands: z
    .array(
      z.object({
        /** Telegram's rule: 1–32 lower-case letters, digits and underscores. */
        command: z.string().regex(/^[a-z0-9_]{1,32}$/, "1–32 lower-case letters, digits or _ (Telegram's rule)"),
        /** Telegram's rule: 1–256 characters. */
        description: template.max(256),
      }),
    )
    .min(1),
});

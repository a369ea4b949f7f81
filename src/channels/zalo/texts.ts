/**
 * The Zalo channel's wording (`zalo:` in prompts/channels.yaml): the headers over
 * numbered options, which stand in for the buttons Zalo does not have.
 *
 * @example
 * channelTexts(kb).zalo.options_header; // "Gõ số để hỏi tiếp:"
 */
import { z } from "zod";
import { template } from "../../knowledge/texts.ts";

export const zaloTextsSchema = z.object({
  /** Over follow-up questions. */
  options_header: template,
  /** Over answers to pick, when the reply asks a question (the fee check). */
  choices_header: template,
});

/**
 * The assistant's fixed replies (greeting, help, "not covered", "slow down"…), in
 * `prompts/replies.yaml`, validated at start-up so wording is reviewed as data.
 *
 * @example
 * const replies = repliesTexts(kb);
 * fill(replies.too_long, { length: 10000, max: 2000 });
 */
import { z } from "zod";
import { defineTexts, template } from "../knowledge/texts.ts";
import { SMALL_TALK_KINDS, type SmallTalk } from "../understanding/vocabulary.ts";

export const repliesSchema = z.object({
  start: template,
  help: template,
  greeting: template,
  empty: template,
  too_long: template,
  unsupported: template,
  not_covered: template,
  out_of_scope: template,
  next_step: template,
  clarify: template,
  /** Before an answer that may not be what was asked (not confident). */
  unsure: template,
  handoff: template,
  flow_cancelled: template,
  register_button: template,
  slow_down: template,
  error: template,
  more_label: template,
  /** Another ask of the same message, answered briefly after the main one. */
  part: template,
  /** Small talk and control words said with nothing to act on (understanding/vocabulary.ts). */
  small_talk: z.object(Object.fromEntries(SMALL_TALK_KINDS.map((k) => [k, template])) as Record<SmallTalk, typeof template>),
});
export type Replies = z.infer<typeof repliesSchema>;

export const repliesTexts = defineTexts("replies", repliesSchema);

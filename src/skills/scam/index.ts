/**
 * The scam check as a skill: a forwarded post or offer showing red flags of illegal
 * recruitment gets the flags and the safe steps (check.ts); a short question about scams
 * is better answered by the scam cards. The flags are knowledge/red-flags.yaml, the
 * wording prompts/skills/scam.yaml (texts.ts), the words knowledge/vocabulary/scam.yaml
 * (vocabulary.ts) and, shared with the office finder, knowledge/vocabulary/police.yaml.
 */
import type { Skill } from "../skill.ts";
import { policeVocabulary } from "../answer.ts";
import { ruleText } from "../../text/normalize.ts";
import { SCAM_TOOL_DESCRIPTION, scamCheck, scamCheckInputSchema, type ScamCheckInput, type ScamCheckResult } from "./check.ts";
import { scamTexts } from "./texts.ts";
import { scamVocabulary } from "./vocabulary.ts";

export { scamTexts, scamVocabulary };

/** A forwarded post or offer: several red flags, or a long message with one. */
const MIN_FLAGS = 2;
const LONG_MESSAGE_WORDS = 30;

/** The check `read` just made, so the `run` that follows it in chat does not redo it (scamCheck is pure). */
const lastRead = new WeakMap<object, { text: string; result: ScamCheckResult }>();

export const scamSkill: Skill<ScamCheckInput, ScamCheckResult> = {
  name: "scam_check",
  intent: "scam_check",
  topics: ["scam", "prohibited"],
  dated: false,
  description: SCAM_TOOL_DESCRIPTION,
  data: [scamTexts, scamVocabulary, policeVocabulary],
  schema: () => scamCheckInputSchema,
  read(kb, text) {
    const check = scamCheck(kb, { text });
    lastRead.set(kb, { text, result: check });
    const long = ruleText(text).split(" ").length >= LONG_MESSAGE_WORDS;
    return check.status === "checked" && (check.flags.length >= MIN_FLAGS || (long && check.flags.length > 0)) ? { text } : undefined;
  },
  run(kb, input) {
    const last = lastRead.get(kb);
    const result = last && last.text === input.text ? last.result : scamCheck(kb, input);
    return { result, answer: result.answer, decided: result.status === "checked" };
  },
};

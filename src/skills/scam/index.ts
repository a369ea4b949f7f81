/**
 * The scam check as a skill: a forwarded post or offer showing red flags of illegal
 * recruitment gets the flags and the safe steps (check.ts); a short question about scams
 * is better answered by the scam cards.
 */
import type { Skill } from "../skill.ts";
import { ruleText } from "../../text/normalize.ts";
import { scamCheck, scamCheckInputSchema, type ScamCheckInput, type ScamCheckResult } from "./check.ts";

/** A forwarded post or offer: several red flags, or a long message with one. */
const MIN_FLAGS = 2;
const LONG_MESSAGE_WORDS = 30;

export const scamSkill: Skill<ScamCheckInput, ScamCheckResult> = {
  name: "scam_check",
  intent: "scam_check",
  topics: ["scam", "prohibited"],
  dated: false,
  description:
    "Rule-based red-flag check of a recruitment post, payment request or story about working abroad (guaranteed selection, paying before the contract, a personal bank account, brokerage or selection fees, tourist visas, EPS impersonation…); returns the flags with legal citations, a verdict and safe steps. Never says a message is safe.",
  data: [],
  schema: () => scamCheckInputSchema,
  read(kb, text) {
    const check = scamCheck(kb, { text });
    const long = ruleText(text).split(" ").length >= LONG_MESSAGE_WORDS;
    return check.status === "checked" && (check.flags.length >= MIN_FLAGS || (long && check.flags.length > 0)) ? { text } : undefined;
  },
  run(kb, input) {
    const result = scamCheck(kb, input);
    return { result, answer: result.answer, decided: result.status === "checked" };
  },
};

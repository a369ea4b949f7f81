/**
 * Deposits as a skill: a sum asked for a named destination is compared with that market's
 * cap (guidance.ts); a general deposit question is answered by the deposit cards. The
 * wording is prompts/skills/deposit.yaml (texts.ts), the words
 * knowledge/vocabulary/deposit.yaml (vocabulary.ts).
 */
import { isMoney, parseAmount } from "../../text/amount.ts";
import type { Skill } from "../skill.ts";
import { DEPOSIT_TOOL_DESCRIPTION, depositGuidance, depositInputSchema, type DepositGuidanceInput, type DepositGuidanceOutput } from "./guidance.ts";
import { depositTexts } from "./texts.ts";
import { depositVocabulary } from "./vocabulary.ts";

export { depositTexts, depositVocabulary };

export const depositSkill: Skill<DepositGuidanceInput, DepositGuidanceOutput> = {
  name: "deposit_guidance",
  intent: "deposit",
  topics: ["deposit"],
  dated: true,
  description: DEPOSIT_TOOL_DESCRIPTION,
  data: [depositTexts, depositVocabulary],
  schema: () => depositInputSchema,
  read(kb, text) {
    const amount = parseAmount(text);
    if (!isMoney(amount) || !kb.markets.destination(text)) return undefined;
    return { market: text, job: text, route: kb.markets.route(text), amountAsked: amount.value };
  },
  run(kb, input, today) {
    const out = depositGuidance(kb, { ...input, asOf: input.asOf ?? today });
    return { result: out, answer: out.answer, decided: out.status === "ok" };
  },
};

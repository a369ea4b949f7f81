/**
 * Deposits as a skill: a sum asked for a named destination is compared with that market's
 * cap (guidance.ts); a general deposit question is answered by the deposit cards.
 */
import { isMoney, parseAmount } from "../../text/amount.ts";
import type { Skill } from "../skill.ts";
import { depositGuidance, depositInputSchema, type DepositGuidanceInput, type DepositGuidanceOutput } from "./guidance.ts";

export const depositSkill: Skill<DepositGuidanceInput, DepositGuidanceOutput> = {
  name: "deposit_guidance",
  intent: "deposit",
  topics: ["deposit"],
  dated: true,
  description:
    "How much deposit (tiền ký quỹ) a Vietnamese worker going abroad may be asked for, by destination market, job and route (company, Korea EPS, direct contract); where the money must be kept; how it is refunded; and whether an amount the worker was asked for is above the legal cap. Answers in plain Vietnamese with citations.",
  data: [],
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

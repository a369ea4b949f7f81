/**
 * Loans as a skill: with an amount in đồng the chat answers whether it needs collateral
 * and what the rules are (guidance.ts); without one, the loan cards answer.
 */
import { isMoney, parseAmount } from "../../text/amount.ts";
import type { Skill } from "../skill.ts";
import { parsePriorityGroup, priorityGroupVocabulary } from "../../knowledge/priority-groups.ts";
import { loanGuidance, loanInputSchema, type LoanGuidanceInput, type LoanGuidanceOutput } from "./guidance.ts";

export const loanSkill: Skill<LoanGuidanceInput, LoanGuidanceOutput> = {
  name: "loan_guidance",
  intent: "loan",
  topics: ["loans"],
  dated: true,
  description:
    "Borrowing from the Vietnam Bank for Social Policies to go to work abroad: who can borrow, maximum amount, collateral threshold (and whether a given amount needs collateral), interest rule, term, where to apply, the EPS (Korea) deposit loan, and — with history — the old rule it replaced. Answers in plain Vietnamese with citations.",
  data: [priorityGroupVocabulary],
  schema: () => loanInputSchema,
  // A sum to borrow is computed against the rules, not looked up.
  read(kb, text) {
    const amount = parseAmount(text);
    if (!isMoney(amount) || amount.currency !== "VND") return undefined;
    return { amountWanted: amount.value, eps: kb.markets.destination(text)?.eps === true, priorityGroup: parsePriorityGroup(kb, text) };
  },
  run(kb, input, today) {
    const out = loanGuidance(kb, { ...input, asOf: input.asOf ?? today });
    return { result: out, answer: out.answer, decided: out.status === "ok" };
  },
};

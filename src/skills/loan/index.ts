/**
 * Loans as a skill: with an amount in đồng the chat answers whether it needs collateral
 * and what the rules are (guidance.ts); without one, the loan cards answer. Figures come
 * from knowledge/facts by code, each with its citation; the wording is
 * prompts/skills/loan.yaml (texts.ts), the words knowledge/vocabulary/loan.yaml
 * (vocabulary.ts) and, for priority groups, knowledge/vocabulary/priority-groups.yaml.
 */
import { isMoney, parseAmount } from "../../text/amount.ts";
import { parsePriorityGroup, priorityGroupVocabulary } from "../../knowledge/priority-groups.ts";
import type { Skill } from "../skill.ts";
import { LOAN_TOOL_DESCRIPTION, loanGuidance, loanInputSchema, type LoanGuidanceInput, type LoanGuidanceOutput } from "./guidance.ts";
import { loanTexts } from "./texts.ts";
import { loanVocabulary } from "./vocabulary.ts";

export { loanTexts };

export const loanSkill: Skill<LoanGuidanceInput, LoanGuidanceOutput> = {
  name: "loan_guidance",
  intent: "loan",
  topics: ["loans"],
  dated: true,
  description: LOAN_TOOL_DESCRIPTION,
  data: [loanTexts, loanVocabulary, priorityGroupVocabulary],
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

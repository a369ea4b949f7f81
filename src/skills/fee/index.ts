/**
 * The fee check as a skill: in chat it reads what the message says about a charge and
 * asks for what a verdict still needs (dialog.ts); as a tool it checks structured charges
 * (check.ts). Verdicts come from knowledge/facts by code, each with its citation; the
 * wording is prompts/skills/fee.yaml (texts.ts), the words knowledge/vocabulary/fee.yaml
 * (vocabulary.ts).
 */
import type { Skill } from "../skill.ts";
import { checkFees, FEE_TOOL_DESCRIPTION, feeCheckSchema, type FeeCheckInput, type FeeCheckResult } from "./check.ts";
import { answerFeeSlot, isCheckable, nextFeeStep, startFeeDialog, type FeeDialogState } from "./dialog.ts";
import { feeTexts } from "./texts.ts";
import { feeVocabulary } from "./vocabulary.ts";

export { feeTexts, feeVocabulary };

export const feeSkill: Skill<FeeCheckInput, FeeCheckResult, FeeDialogState> = {
  name: "check_fees",
  intent: "fee_check",
  topics: ["service_fee", "brokerage", "deposit"],
  dated: true,
  description: FEE_TOOL_DESCRIPTION,
  data: [feeTexts, feeVocabulary],
  schema: feeCheckSchema,
  run(kb, input, today) {
    const result = checkFees(kb, { ...input, asOf: input.asOf ?? today });
    return { result, answer: result.answer, decided: result.charges.some((c) => c.verdict !== "needs_info") };
  },
  dialog: {
    // Checked by code when the message names a charge with an amount, or a way of paying
    // that is wrong whatever the amount; other fee questions are answered from the knowledge.
    start(kb, text) {
      const state = startFeeDialog(kb, text);
      return state.charges.some(isCheckable) ? state : undefined;
    },
    reply: answerFeeSlot,
    step(kb, state, today) {
      const step = nextFeeStep(kb, state, today);
      if (step.kind === "ask") return { kind: "ask", question: step.question, buttons: step.buttons, state: step.state };
      const decided = step.result.charges.some((c) => c.verdict !== "needs_info");
      return { kind: "answer", outcome: { result: step.result, answer: step.result.answer, decided } };
    },
    intro: (kb) => feeTexts(kb).intro,
  },
};

/**
 * What the loan guidance says, as a typed, validated view of `prompts/skills/loan.yaml`.
 * No sentence or figure is written in the code of this folder: figures come from
 * knowledge/facts and fill the templates' {placeholders}.
 *
 * @example
 * fill(loanTexts(kb).collateral.exclusive, { threshold: "200 triệu đồng" });
 * // "Vay trên 200 triệu đồng phải có tài sản bảo đảm (thế chấp); từ 200 triệu đồng trở xuống thì không cần."
 */
import { z } from "zod";
import { defineTexts, template, templates } from "../../knowledge/texts.ts";
import { PRIORITY_GROUPS, type PriorityGroup } from "../../knowledge/priority-groups.ts";

export const loanTexts = defineTexts(
  "skills/loan",
  z.object({
    intro: templates("current", "old"),
    docs_amended: template,
    who: templates("current", "current_line", "old_groups", "old", "old_line"),
    max_loan: templates("basis_current", "basis_old", "current", "old"),
    collateral: templates("inclusive", "exclusive"),
    amount: templates("required", "not_required", "at_threshold_required", "above", "at_threshold", "below", "within_contract", "foreign", "months", "unreadable"),
    interest: templates("poor_rate", "single", "ordinary", "not_given", "maybe_priority", "unknown", "overdue"),
    groups: templates<PriorityGroup>(...PRIORITY_GROUPS),
    term: templates("current", "old"),
    where: template,
    bank_where: template,
    apply_line: template,
    papers: z.array(template).min(1),
    papers_line: template,
    bank_response: template,
    eps: templates("mention", "loan", "loan_with_term", "conditions", "deposit", "over", "within"),
    history: templates("ended", "ended_until", "then", "threshold_inclusive", "threshold_exclusive", "amount_required", "amount_not_required", "replaced"),
    hedge: templates("current", "old"),
    need_info: z.object({
      question: template,
      asks: templates("amount", "date", "group", "market", "eps", "anything"),
      no_rules: template,
      where: template,
      hedge: template,
    }),
  }),
);

export type LoanTexts = ReturnType<typeof loanTexts>;

/**
 * What the fee check says, as a typed, validated view of `prompts/skills/fee.yaml`. No
 * sentence or figure is written in the code of this folder: figures come from
 * knowledge/facts and fill the templates' {placeholders}.
 *
 * @example
 * fill(feeTexts(kb).reasons.extension, { per12: "0,5" });
 * // "Khi gia hạn, tiền dịch vụ chỉ được thu nếu hợp đồng có thỏa thuận, tối đa 0,5 tháng lương …"
 */
import { z } from "zod";
import { defineTexts, template, templates } from "../../knowledge/texts.ts";
import { CHARGE_KINDS, type ChargeKind } from "./charges.ts";

export const feeTexts = defineTexts(
  "skills/fee",
  z.object({
    intro: template,
    charge_line: template,
    charge_verdict: template,
    advice_line: template,
    hedge: template,
    charges: templates<ChargeKind>(...CHARGE_KINDS),
    verdicts: templates("allowed", "above_cap", "banned", "too_early", "needs_info", "wrong_way"),
    amounts: templates("months_salary", "vnd", "foreign", "with_money", "tickets"),
    advice: templates("ask_receipt", "refuse", "not_before_contract", "not_yet", "ask_office", "pay_up_to_cap", "pay_up_to_amount", "itemise", "real_costs"),
    reasons: templates(
      "within", "above",
      "service_fee_too_early", "extension", "extension_length_missing", "general_cap", "general_cap_long", "specific_cap", "specific_cap_long",
      "no_service_fee", "no_service_fee_cap", "contract_length_missing", "salary_missing", "rate_missing", "amount_missing",
      "deposit_to_a_person", "deposit_too_early", "programme_deposit", "deposit_cap", "no_deposit", "no_deposit_cap", "deposit_unit_unknown",
      "ticket_cap", "ticket_price_missing", "foreign_currency",
      "brokerage", "selection_fee", "package", "package_service_fee", "package_items", "real_costs", "no_document",
    ),
    questions: z.object({
      dont_know: template,
      market: template,
      purpose: template,
      contract_months: z.object({ question: template, buttons: z.array(template).min(1) }),
      salary: template,
      amount: template,
      rate: template,
      airfare_price: template,
    }),
  }),
);

export type FeeTexts = ReturnType<typeof feeTexts>;

/**
 * What the deposit guidance says, as a typed, validated view of
 * `prompts/skills/deposit.yaml`. No sentence or figure is written in the code of this
 * folder: figures come from knowledge/facts and fill the templates' {placeholders}.
 *
 * @example
 * fill(depositTexts(kb).compare.within, { amount: "10 triệu đồng", cap: "12 triệu đồng" });
 * // "Số tiền 10 triệu đồng không vượt mức tối đa 12 triệu đồng."
 */
import { z } from "zod";
import { defineTexts, template, templates } from "../../knowledge/texts.ts";

/** The input fields a bad input can name, as the tool's schema calls them. */
export const INPUT_FIELDS = ["market", "amountAsked", "route", "asOf", "job"] as const;

export const depositTexts = defineTexts(
  "skills/deposit",
  z.object({
    need_info: z.object({
      why: template,
      market: template,
      no_rule_on_date: template,
      input: template,
      separator: z.string().min(1),
      default: template,
      fields: templates(...INPUT_FIELDS),
    }),
    caps: templates("tickets", "zero", "other_unit"),
    hedges: templates("table", "programme"),
    programme_elsewhere: template,
    company: templates(
      "unrecognised_named", "unrecognised", "general_rule", "in_group", "cap", "near_shore", "programme_alternative", "direct",
      "no_deposit", "no_deposit_report", "blocked_account", "before_contract", "refund", "liquidation",
    ),
    compare: templates(
      "above_no_deposit", "above_via_company", "above", "company_fine", "at_cap", "within",
      "needs_ticket_price", "needs_vnd", "months_not_money", "unreadable",
    ),
    table: z.object({
      no_deposit: template,
      separator: z.string().min(1),
      row: template,
      row_company: template,
      up_to: template,
      crew: template,
    }),
    programme: templates(
      "amount", "pay_with_deadline", "pay", "term", "above", "at_cap", "within", "needs_vnd", "unreadable", "refund", "overstay_fine", "loan",
    ),
  }),
);

export type DepositTexts = ReturnType<typeof depositTexts>;

/**
 * `loanGuidance`: borrowing from the Social Policy Bank (Ngân hàng Chính sách xã hội) to
 * go to work abroad — who, how much, collateral, interest, term, where to apply — and the
 * EPS deposit loan. Decided by code from `knowledge/facts/loans.yaml` and `eps.yaml`.
 *
 * Rules in force on `asOf` come first (from 01/01/2026: Nghị định 338/2025/NĐ-CP). The
 * rules they replaced are found through the facts' `superseded_by` links and are told
 * only as history (`history: true`) or when `asOf` falls in their time. No legal figure is
 * written in this file: every number is read from a fact and cited.
 *
 * @example
 * loanGuidance(kb, { amountWanted: "250tr", asOf: "2026-11-22" }).result.collateral;
 * // { threshold: 200000000, inclusive: false, amountWanted: 250000000, required: true, … }
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import { PRIORITY_GROUPS, parsePriorityGroup, type PriorityGroup } from "../../knowledge/priority-groups.ts";
import { isMoney, isMonths, parseAmount, parseVndAmount } from "../../text/amount.ts";
import { citeFact, citeRule, confirmWith, factById, inForce, officeType, type ToolCitation } from "../../knowledge/cite.ts";
import { composeAnswer, type AnswerLine, type ToolAnswer } from "../answer.ts";
import { formatDate, formatMonths, formatVnd, isoToday, ISO_DATE_RE, viNumber } from "../../text/wording.ts";
import { parseMarket } from "../deposit/guidance.ts";

export { parseVndAmount, PRIORITY_GROUPS, type PriorityGroup };

/** Fact ids of the rules in force (the figures live in knowledge/facts/). */
export const LOAN_FACTS = {
  maxShare: "loan.maxShareOfCosts.current",
  collateral: "loan.collateralThreshold.current",
  interest: "loan.interestRate.current",
  interestPriority: "loan.interestRate.priorityGroup.current",
  overdue: "loan.overdueRate.current",
  bankResponse: "loan.bankResponse.current",
  epsLoanMax: "eps.depositLoan.max",
  epsLoanTerm: "eps.depositLoan.termMonths",
  epsDeposit: "eps.deposit.amount",
} as const;

const CARDS = {
  amount: "prog-loans-current-amount",
  collateral: "prog-loans-current-collateral",
  interest: "prog-loans-current-interest",
  groups: "prog-loans-current-priority-groups",
  term: "prog-loans-current-term",
  where: "prog-loans-current-where-to-apply",
  decree74: "prog-loans-decree-74-still-valid",
  history: "prog-loans-history-decree-61-74",
  epsLoan: "prog-eps-deposit-loan",
} as const;

const GROUP_NAMES: Record<PriorityGroup, string> = {
  poor: "người thuộc hộ nghèo",
  near_poor: "người thuộc hộ cận nghèo",
  ethnic_minority: "người dân tộc thiểu số",
  land_revoked: "người thuộc hộ bị thu hồi đất nông nghiệp",
  relative_of_merit: "thân nhân người có công với cách mạng",
  demobilised_soldier: "bộ đội xuất ngũ",
  other: "người vay thông thường",
  none: "người vay thông thường",
};

export const loanInputSchema = z.object({
  priorityGroup: z
    .enum(PRIORITY_GROUPS)
    .optional()
    .describe("Borrower group: poor, near_poor, ethnic_minority, land_revoked, relative_of_merit, demobilised_soldier; other/none for an ordinary borrower"),
  amountWanted: z
    .union([z.number().nonnegative(), z.string()])
    .optional()
    .describe("Amount the worker wants to borrow: VND as a number, or text as typed ('150tr', '150 triệu')"),
  market: z.string().optional().describe("Destination market as typed (e.g. 'Nhật', 'Korea', 'EPS')"),
  eps: z.boolean().optional().describe("Going to Korea under the EPS programme: adds the EPS deposit loan"),
  asOf: z.string().regex(ISO_DATE_RE, "YYYY-MM-DD").optional().describe("Date the rules apply to (default today)"),
  history: z.boolean().optional().describe("Also explain the old rule (Decree 61/2015, 74/2019) and when it ended"),
});
export type LoanGuidanceInput = z.input<typeof loanInputSchema>;

/** Which regime applied on `asOf`. */
export type LoanRegime = "current" | "old";

export interface LoanRuleSet {
  regime: LoanRegime;
  /** The decree the rules come from ("Nghị định 338/2025/NĐ-CP"). */
  doc: string;
  validFrom: string;
  validTo?: string;
  maxShare: Fact;
  collateral: Fact;
  interest: Fact;
  interestPriority?: Fact;
  overdue: Fact;
}

export interface LoanGuidanceResult {
  asOf: string;
  regime: LoanRegime;
  doc: string;
  whoCanBorrow: string;
  maxLoan: { percentOfCosts: number; factId: string; basis: string };
  collateral: {
    threshold: number;
    /** true: "từ mức này trở lên" (≥); false: "trên mức này" (>). */
    inclusive: boolean;
    factId: string;
    amountWanted?: number;
    required?: boolean;
    /** How far the amount is above the threshold, when collateral is required. */
    overBy?: number;
  };
  interest: {
    /** Percent of the Social Policy Bank's poor-household lending rate. */
    ordinaryPercentOfPoorRate: number;
    priorityPercentOfPoorRate?: number;
    overduePercentOfRate: number;
    group?: PriorityGroup;
    /** How the group's rate is known: ordinary, maybe the priority rate, or unknown (ask the bank). */
    groupStatus: "not_given" | "ordinary" | "maybe_priority" | "unknown";
    factIds: string[];
  };
  /** The term ends with the contract term; from 2026 extensions of the contract do not count. */
  term: { maxIsContractTerm: true; extensionsExcluded: boolean };
  whereToApply: { officeTypeId: "social_policy_bank"; office: string; where: string };
  papers: string[];
  bankResponseWorkingDays?: number;
  epsDepositLoan?: {
    max: number;
    termMonths?: number;
    collateralRequired: false;
    factId: string;
    amountWanted?: number;
    withinMax?: boolean;
    overBy?: number;
  };
  history?: {
    docs: string[];
    endedOn: string;
    replacedBy: string;
    maxSharePercent: number;
    collateralThreshold: number;
    collateralInclusive: boolean;
    interestPercentOfPoorRate: number;
    overduePercentOfRate: number;
    collateralRequiredForAmount?: boolean;
  };
  /** What the chat should ask next, if anything. */
  missing: Array<"amount_in_vnd">;
}

export type LoanGuidanceOutput =
  | { status: "ok"; result: LoanGuidanceResult; answer: ToolAnswer }
  | { status: "need_info"; missing: string[]; answer: ToolAnswer };

/** Facts replaced by this one (through `superseded_by`). */
function predecessor(kb: KnowledgeBase, currentId: string): Fact | undefined {
  return kb.facts.find((f) => f.superseded_by === currentId);
}

/** Whether a fact applied on `date`: in force now, or a replaced rule inside its own dates. */
function appliedOn(f: Fact, date: string): boolean {
  if (f.status === "in_force") return inForce(f, date);
  return f.valid_from <= date && (!f.valid_to || date <= f.valid_to);
}

/** "Khoản vay từ mức này trở lên…" is inclusive (≥); "Khoản vay trên mức này…" is not (>). */
function collateralInclusive(f: Fact): boolean {
  return /trở lên/.test(f.label);
}

export function collateralRequired(f: Fact, amount: number): boolean {
  return collateralInclusive(f) ? amount >= f.value : amount > f.value;
}

/** The rule set that applied on `date`: today's, or the one it replaced, or none. */
function loanRulesOn(kb: KnowledgeBase, date: string): LoanRuleSet | undefined {
  const cur = {
    maxShare: factById(kb, LOAN_FACTS.maxShare),
    collateral: factById(kb, LOAN_FACTS.collateral),
    interest: factById(kb, LOAN_FACTS.interest),
    interestPriority: factById(kb, LOAN_FACTS.interestPriority),
    overdue: factById(kb, LOAN_FACTS.overdue),
  };
  if (appliedOn(cur.collateral, date)) {
    return { regime: "current", doc: cur.collateral.source.doc, validFrom: cur.collateral.valid_from, ...cur };
  }
  const old = oldRules(kb);
  return old && appliedOn(old.collateral, date) ? old : undefined;
}

/** The replaced rule set (Nghị định 61/2015/NĐ-CP as amended), from the facts' links. */
function oldRules(kb: KnowledgeBase): LoanRuleSet | undefined {
  const maxShare = predecessor(kb, LOAN_FACTS.maxShare);
  const collateral = predecessor(kb, LOAN_FACTS.collateral);
  const interest = predecessor(kb, LOAN_FACTS.interest);
  const overdue = predecessor(kb, LOAN_FACTS.overdue);
  if (!maxShare || !collateral || !interest || !overdue) return undefined;
  return { regime: "old", doc: collateral.source.doc, validFrom: collateral.valid_from, validTo: collateral.valid_to, maxShare, collateral, interest, overdue };
}

function groupStatus(group: PriorityGroup | undefined, rules: LoanRuleSet): LoanGuidanceResult["interest"]["groupStatus"] {
  if (!rules.interestPriority) return "ordinary";
  if (!group) return "not_given";
  if (group === "none" || group === "other") return "ordinary";
  if (group === "poor" || group === "ethnic_minority") return "maybe_priority";
  return "unknown";
}

function needInfo(kb: KnowledgeBase, missing: string[], question: string): LoanGuidanceOutput {
  const bank = officeType(kb, "social_policy_bank");
  const lines: AnswerLine[] = [
    { text: question, priority: 1, cites: [] },
    { text: `Hồ sơ vay vốn đi làm việc ở nước ngoài nộp tại ${bank.name} nơi bạn cư trú.`, priority: 1, cites: [bank.citation] },
  ];
  const who = confirmWith(kb, CARDS.where) ?? `${bank.name} nơi bạn cư trú`;
  return { status: "need_info", missing, answer: composeAnswer(lines, `Bạn có thể hỏi trực tiếp ${who}.`) };
}

/** Who borrows, how much, with what collateral and interest, where. Pure; never throws on bad input. */
export function loanGuidance(kb: KnowledgeBase, rawInput: LoanGuidanceInput = {}): LoanGuidanceOutput {
  // Accept a group typed in words ("hộ cận nghèo") as well as the enum value.
  const pre = { ...(rawInput ?? {}) } as Record<string, unknown>;
  if (typeof pre.priorityGroup === "string" && !(PRIORITY_GROUPS as readonly string[]).includes(pre.priorityGroup)) {
    const g = parsePriorityGroup(kb, pre.priorityGroup);
    if (g) pre.priorityGroup = g;
    else delete pre.priorityGroup;
  }
  const parsed = loanInputSchema.safeParse(pre);
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    const asks: string[] = [];
    if (fields.has("amountWanted")) asks.push("số tiền bạn muốn vay, ví dụ 150 triệu đồng");
    if (fields.has("asOf")) asks.push("ngày cần xem, viết theo dạng năm-tháng-ngày (ví dụ 2026-11-22)");
    if (fields.has("priorityGroup")) asks.push("gia đình bạn thuộc hộ nghèo, hộ cận nghèo, dân tộc thiểu số hay không thuộc nhóm nào");
    if (fields.has("market")) asks.push("nước bạn định đến");
    if (fields.has("eps") || fields.has("history")) asks.push("bạn có đi Hàn Quốc theo Chương trình EPS không");
    return needInfo(kb, [...fields], `Mình chưa hiểu đủ thông tin. Bạn cho mình biết: ${asks.join("; ") || "số tiền muốn vay và nước định đến"}.`);
  }
  const input = parsed.data;
  const date = input.asOf ?? isoToday();
  const rules = loanRulesOn(kb, date);
  if (!rules) {
    const first = oldRules(kb)?.validFrom ?? factById(kb, LOAN_FACTS.collateral).valid_from;
    return needInfo(kb, ["asOf"], `Mình không có quy định vay vốn cho ngày ${formatDate(date)} (chỉ có từ ngày ${formatDate(first)}). Bạn hỏi về thời điểm hiện nay nhé?`);
  }

  const current = factById(kb, LOAN_FACTS.collateral);
  const market = parseMarket(kb, input.market);
  const epsLoanFact = factById(kb, LOAN_FACTS.epsLoanMax);
  const eps = (input.eps === true || market?.eps === true) && inForce(epsLoanFact, date);
  const korea = market?.region === (epsLoanFact.applies_to?.market ?? "korea");

  // The amount.
  const missing: LoanGuidanceResult["missing"] = [];
  let amountWanted: number | undefined;
  const lines: AnswerLine[] = [];
  if (input.amountWanted !== undefined) {
    const a = parseAmount(input.amountWanted);
    if (isMoney(a) && a.currency === "VND") amountWanted = Math.round(a.value);
    else {
      missing.push("amount_in_vnd");
      const why = isMoney(a)
        ? `Bạn ghi số tiền bằng ngoại tệ (${viNumber(a.value)} ${a.currency}); ngân hàng cho vay bằng đồng. Bạn cho biết số tiền bằng đồng để mình kiểm tra việc thế chấp.`
        : isMonths(a)
          ? "Khoản vay tính bằng tiền, không tính bằng tháng lương. Bạn cho biết số tiền muốn vay bằng đồng nhé."
          : "Mình chưa đọc được số tiền muốn vay. Bạn ghi lại giúp, ví dụ 150 triệu hoặc 150.000.000 đồng.";
      lines.push({ text: why, priority: 1, cites: [citeFact(rules.collateral)] });
    }
  }

  const bank = officeType(kb, "social_policy_bank");
  const group = input.priorityGroup;
  const status = groupStatus(group, rules);
  const isCurrent = rules.regime === "current";
  const required = amountWanted !== undefined && collateralRequired(rules.collateral, amountWanted);

  const result: LoanGuidanceResult = {
    asOf: date,
    regime: rules.regime,
    doc: rules.doc,
    whoCanBorrow: isCurrent
      ? "Người đi làm việc ở nước ngoài theo hợp đồng với công ty dịch vụ hoặc đơn vị sự nghiệp, vay tại nơi cư trú."
      : "Theo quy định cũ: người thuộc hộ nghèo, hộ cận nghèo, hộ bị thu hồi đất nông nghiệp, người dân tộc thiểu số, thân nhân người có công.",
    maxLoan: {
      percentOfCosts: rules.maxShare.value,
      factId: rules.maxShare.id,
      basis: isCurrent ? "tổng chi phí phải nộp trước khi đi theo hợp đồng, trừ khoản Nhà nước đã hỗ trợ" : "chi phí ghi trong hợp đồng",
    },
    collateral: {
      threshold: rules.collateral.value,
      inclusive: collateralInclusive(rules.collateral),
      factId: rules.collateral.id,
      ...(amountWanted !== undefined
        ? {
            amountWanted,
            required,
            ...(required ? { overBy: Math.max(0, amountWanted - rules.collateral.value) } : {}),
          }
        : {}),
    },
    interest: {
      ordinaryPercentOfPoorRate: rules.interest.value,
      priorityPercentOfPoorRate: rules.interestPriority?.value,
      overduePercentOfRate: rules.overdue.value,
      group,
      groupStatus: status,
      factIds: [rules.interest.id, ...(rules.interestPriority ? [rules.interestPriority.id] : []), rules.overdue.id],
    },
    term: { maxIsContractTerm: true, extensionsExcluded: isCurrent },
    whereToApply: { officeTypeId: "social_policy_bank", office: bank.name, where: "nơi bạn cư trú" },
    papers: [
      "Hợp đồng đã ký với công ty hoặc đơn vị đưa bạn đi (mức vay tính theo chi phí ghi trong đó)",
      "Giấy tờ tùy thân",
      `Nếu gia đình thuộc hộ nghèo, cận nghèo: giấy xác nhận của ${officeName(kb, "commune_committee")}`,
    ],
    missing,
  };

  // --- Lines, most important first within each block ---
  const maxCites = [citeFact(rules.maxShare)];
  const intro = isCurrent
    ? `Từ ${formatDate(rules.validFrom)}, vay vốn đi làm việc ở nước ngoài theo ${rules.doc}.`
    : `Ngày ${formatDate(date)}, vay vốn đi làm việc ở nước ngoài theo quy định cũ (${rules.doc}, sửa đổi bởi ${amendingDocs(kb, rules).join(", ") || "văn bản sau"}).`;
  lines.unshift({ text: intro, priority: 2, cites: maxCites });

  lines.push({
    text: isCurrent
      ? `Ai được vay: người đi làm việc ở nước ngoài theo hợp đồng với công ty dịch vụ hoặc đơn vị sự nghiệp (đơn vị công lập của Nhà nước).`
      : `Ai được vay: ${result.whoCanBorrow.replace(/^Theo quy định cũ: /, "")}`,
    priority: 2,
    cites: isCurrent ? maxCites : [citeRule(kb, "loan.whoCanBorrow.old")],
  });
  lines.push({
    text: isCurrent
      ? `Vay tối đa ${viNumber(rules.maxShare.value)}% tổng chi phí phải nộp trước khi đi ghi trong hợp đồng, trừ các khoản Nhà nước đã hỗ trợ.`
      : `Vay tối đa ${viNumber(rules.maxShare.value)}% chi phí ghi trong hợp đồng.`,
    priority: 1,
    cites: maxCites,
  });
  const thr = formatVnd(rules.collateral.value);
  const collCites = [citeFact(rules.collateral)];
  lines.push({
    text: collateralInclusive(rules.collateral)
      ? `Vay từ ${thr} trở lên phải có tài sản bảo đảm (thế chấp); dưới mức đó thì không cần.`
      : `Vay trên ${thr} phải có tài sản bảo đảm (thế chấp); từ ${thr} trở xuống thì không cần.`,
    priority: 1,
    cites: collCites,
  });
  if (amountWanted !== undefined) {
    const a = formatVnd(amountWanted);
    const text = required
      ? `Bạn muốn vay ${a}: ${amountWanted === rules.collateral.value ? `bằng ${thr}` : `cao hơn ${thr} là ${formatVnd(amountWanted - rules.collateral.value)}`}, nên phải có tài sản bảo đảm (thế chấp).`
      : `Bạn muốn vay ${a}: ${amountWanted === rules.collateral.value ? `bằng ${thr}, không vượt mức` : `không vượt ${thr}`}, nên không cần tài sản bảo đảm (thế chấp).`;
    lines.push({ text: `${text} Số tiền vay cũng không được quá chi phí ghi trong hợp đồng.`, priority: 1, cites: [...collCites, ...maxCites] });
  }

  // Interest.
  lines.push({ text: interestText(rules, group, status), priority: 1, cites: interestCites(rules) });
  lines.push({ text: `Nợ quá hạn (đến hạn mà chưa trả) chịu lãi bằng ${viNumber(rules.overdue.value)}% lãi suất cho vay.`, priority: 3, cites: [citeFact(rules.overdue)] });

  // Term.
  lines.push({
    text: isCurrent
      ? "Thời hạn vay tối đa bằng thời hạn làm việc ghi trong hợp đồng; thời gian gia hạn hợp đồng không được tính thêm."
      : "Thời hạn vay không quá thời hạn làm việc ở nước ngoài ghi trong hợp đồng.",
    priority: 2,
    cites: isCurrent ? [citeRule(kb, "loan.term.current")] : [citeRule(kb, "loan.term.old")],
  });

  // Where and papers.
  const whereCites = isCurrent ? [bank.citation] : [citeRule(kb, "loan.whereToApply.old")];
  lines.push({ text: `Nộp hồ sơ tại ${bank.name} nơi bạn cư trú.`, priority: 1, cites: whereCites });
  lines.push({
    text: `Mang theo: ${result.papers.map((p) => p.charAt(0).toLowerCase() + p.slice(1)).join("; ")}. Danh sách giấy tờ đầy đủ hãy hỏi ngân hàng.`,
    priority: 2,
    cites: isCurrent ? [citeRule(kb, "loan.basisIsContract.current")] : [citeRule(kb, "loan.whereToApply.old")],
  });
  const response = factById(kb, LOAN_FACTS.bankResponse);
  if (isCurrent && inForce(response, date)) {
    result.bankResponseWorkingDays = response.value;
    lines.push({ text: `Ngân hàng trả lời hồ sơ trong khoảng ${viNumber(response.value)} ngày làm việc (nguồn tin chưa chắc chắn).`, priority: 3, cites: [citeFact(response)] });
  }

  // EPS deposit loan.
  if (eps) {
    lines.push(...epsLoanLines(kb, date, epsLoanFact, amountWanted, result));
  } else if (korea && input.eps === undefined && inForce(epsLoanFact, date)) {
    lines.push({ text: `Nếu bạn đi Hàn Quốc theo Chương trình EPS, còn có khoản vay riêng để ký quỹ, tối đa ${formatVnd(epsLoanFact.value)}, không cần thế chấp.`, priority: 2, cites: [citeFact(epsLoanFact)] });
  }

  // History.
  if (isCurrent && input.history) {
    lines.push(...historyLines(kb, rules, amountWanted, result));
  } else if (!isCurrent) {
    lines.push({
      text: `Từ ${formatDate(current.valid_from)}, quy định này hết áp dụng và được thay bằng ${current.source.doc}.`,
      priority: 1,
      cites: [citeFact(current), citeRule(kb, "loan.collateralRule.current")],
    });
  }

  const who = confirmWith(kb, CARDS.amount) ?? `${bank.name} nơi bạn cư trú`;
  const hedge = isCurrent
    ? `Các mức theo ${rules.doc} lấy từ báo chí, chưa đối chiếu văn bản gốc. Hãy hỏi lại ${who}.`
    : `Một số thông tin lấy từ nguồn thứ cấp. Hãy hỏi lại ${who}.`;
  return { status: "ok", result, answer: composeAnswer(lines, hedge) };
}

function officeName(kb: KnowledgeBase, id: string): string {
  return officeType(kb, id).name;
}

/** Documents that amended the old decree and were replaced with it (documents.yaml). */
function amendingDocs(kb: KnowledgeBase, old: LoanRuleSet): string[] {
  const successor = kb.documents.get(old.doc)?.superseded_by;
  return [...kb.documents.values()]
    .filter((d) => d.doc !== old.doc && successor !== undefined && d.superseded_by === successor && /^Nghị định/.test(d.doc))
    .map((d) => d.doc);
}

function interestText(rules: LoanRuleSet, group: PriorityGroup | undefined, status: LoanGuidanceResult["interest"]["groupStatus"]): string {
  const ord = `${viNumber(rules.interest.value)}%`;
  const poorRate = "lãi suất cho vay hộ nghèo (hỏi ngân hàng con số hiện hành)";
  if (!rules.interestPriority) return `Lãi suất bằng ${ord} ${poorRate}.`;
  const pri = `${viNumber(rules.interestPriority.value)}%`;
  switch (status) {
    case "ordinary":
      return `Lãi suất cho người vay thông thường bằng ${ord} ${poorRate}.`;
    case "not_given":
      return `Lãi suất cho người vay thông thường bằng ${ord} ${poorRate}; nhóm ưu tiên trả bằng ${pri} mức đó.`;
    case "maybe_priority":
      return `Là ${GROUP_NAMES[group!]}, bạn có thể thuộc nhóm ưu tiên (báo chí nêu ví dụ người dân tộc thiểu số thuộc hộ nghèo), trả lãi bằng ${pri} ${poorRate}. Nếu không thuộc nhóm này, lãi suất bằng ${ord}.`;
    case "unknown":
      return `Chưa rõ ${GROUP_NAMES[group!]} có thuộc nhóm ưu tiên không, vì danh sách nhóm chưa được kiểm chứng. Nhóm ưu tiên trả lãi bằng ${pri} ${poorRate}; người vay thông thường trả ${ord}.`;
  }
}

function interestCites(rules: LoanRuleSet): ToolCitation[] {
  return [citeFact(rules.interest), ...(rules.interestPriority ? [citeFact(rules.interestPriority)] : [])];
}

function epsLoanLines(kb: KnowledgeBase, date: string, max: Fact, amount: number | undefined, result: LoanGuidanceResult): AnswerLine[] {
  const term = factById(kb, LOAN_FACTS.epsLoanTerm);
  const deposit = factById(kb, LOAN_FACTS.epsDeposit);
  const centre = officeName(kb, "eps_centre");
  const bank = officeType(kb, "social_policy_bank");
  const termOk = inForce(term, date);
  const lines: AnswerLine[] = [];
  const cites = [citeFact(max), citeRule(kb, "eps.depositLoan.noCollateral")];
  lines.push({
    text: `Vay để ký quỹ đi Hàn Quốc theo EPS: tối đa ${formatVnd(max.value)}, không cần tài sản bảo đảm (thế chấp)${termOk ? `, thời hạn tối đa ${formatMonths(term.value)}` : ""}.`,
    priority: 1,
    cites: [...cites, ...(termOk ? [citeFact(term)] : [])],
  });
  lines.push({
    text: `Điều kiện: thuộc nhóm được vay vốn đi làm việc ở nước ngoài, đã ký hợp đồng với ${centre}, vay tại ${bank.name} nơi thường trú.`,
    priority: 2,
    cites: [citeFact(max)],
  });
  if (inForce(deposit, date)) {
    lines.push({ text: `Mức ký quỹ EPS hiện là ${formatVnd(deposit.value)}; số vay không vượt mức ký quỹ.`, priority: 3, cites: [citeFact(deposit), citeFact(max)] });
  }
  const eps: NonNullable<LoanGuidanceResult["epsDepositLoan"]> = {
    max: max.value, collateralRequired: false, factId: max.id, ...(termOk ? { termMonths: term.value } : {}),
  };
  if (amount !== undefined) {
    eps.amountWanted = amount;
    eps.withinMax = amount <= max.value;
    if (!eps.withinMax) {
      eps.overBy = amount - max.value;
      lines.push({ text: `Số tiền ${formatVnd(amount)} cao hơn mức vay ký quỹ EPS tối đa là ${formatVnd(eps.overBy)}.`, priority: 1, cites: [citeFact(max)] });
    } else {
      lines.push({ text: `Nếu vay để ký quỹ EPS, số ${formatVnd(amount)} nằm trong mức tối đa và không cần thế chấp.`, priority: 1, cites: [citeFact(max)] });
    }
  }
  result.epsDepositLoan = eps;
  return lines;
}

function historyLines(kb: KnowledgeBase, current: LoanRuleSet, amount: number | undefined, result: LoanGuidanceResult): AnswerLine[] {
  const old = oldRules(kb);
  if (!old) return [];
  const docs = [old.doc, ...amendingDocs(kb, old)];
  const endedOn = current.validFrom;
  const until = old.validTo ? `áp dụng đến hết ${formatDate(old.validTo)}, ` : "";
  const thr = formatVnd(old.collateral.value);
  const inclusive = collateralInclusive(old.collateral);
  result.history = {
    docs,
    endedOn,
    replacedBy: current.doc,
    maxSharePercent: old.maxShare.value,
    collateralThreshold: old.collateral.value,
    collateralInclusive: inclusive,
    interestPercentOfPoorRate: old.interest.value,
    overduePercentOfRate: old.overdue.value,
    ...(amount !== undefined ? { collateralRequiredForAmount: collateralRequired(old.collateral, amount) } : {}),
  };
  const lines: AnswerLine[] = [
    {
      text: `Quy định cũ (${docs.join(", sửa đổi bởi ")}) ${until}hết áp dụng từ ${formatDate(endedOn)} và được thay bằng ${current.doc}.`,
      priority: 1,
      cites: [citeFact(old.collateral), citeRule(kb, "loan.maxShare.amended2019")],
    },
    {
      text: `Khi đó: vay tối đa ${viNumber(old.maxShare.value)}% chi phí trong hợp đồng; vay ${inclusive ? `từ ${thr} trở lên` : `trên ${thr}`} phải thế chấp; lãi suất bằng ${viNumber(old.interest.value)}% lãi suất cho vay hộ nghèo.`,
      priority: 1,
      cites: [citeFact(old.maxShare), citeFact(old.collateral), citeFact(old.interest)],
    },
  ];
  if (amount !== undefined) {
    const req = collateralRequired(old.collateral, amount);
    lines.push({ text: `Theo quy định cũ, khoản ${formatVnd(amount)} ${req ? "đã phải" : "không phải"} thế chấp.`, priority: 2, cites: [citeFact(old.collateral)] });
  }
  return lines;
}

/** The LangChain tool: the optional LLM mode calls exactly this code. */
export function loanGuidanceTool(kb: KnowledgeBase) {
  return tool(async (input) => JSON.stringify(loanGuidance(kb, input)), {
    name: "loan_guidance",
    description:
      "Borrowing from the Vietnam Bank for Social Policies to go to work abroad: who can borrow, maximum amount, collateral threshold (and whether a given amount needs collateral), interest rule, term, where to apply, the EPS (Korea) deposit loan, and — with history — the old rule it replaced. Answers in plain Vietnamese with citations.",
    schema: loanInputSchema,
  });
}

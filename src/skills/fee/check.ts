/**
 * `checkFees`: is what a recruiter demands legal? Decided by code from the figures in
 * `knowledge/facts/` — never by a model. Each charge gets a verdict with the cap and its
 * citation; a verdict that cannot cite a fact becomes "needs more information".
 *
 * @example
 * checkFees(kb, {
 *   market: "taiwan", job: "factory", contractMonths: 36,
 *   charges: [{ kind: "service_fee", months: 5 }],
 * }).charges[0].verdict; // "above_cap" (cap 3 months, Luật 69/2020/QH14, Điều 23 khoản 4 điểm a)
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import { ALL, OTHER_JOB, type Job, type Market } from "../../knowledge/markets.ts";
import { CREW_DEPOSIT_JOB, depositRegion, selectDepositCap } from "../deposit/guidance.ts";
import { ISO_DATE_RE, isoToday, viNumber } from "../../text/wording.ts";
import { citeFact, factById, inForce, needsHedge, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { type ToolAnswer } from "../answer.ts";

export type { Job, Market };

export const CHARGE_KINDS = [
  "service_fee", "brokerage", "deposit", "training", "health_check", "visa_passport", "airfare", "selection_fee", "package", "other",
] as const;
export type ChargeKind = (typeof CHARGE_KINDS)[number];

export const CURRENCIES = ["VND", "USD", "JPY", "TWD", "KRW", "EUR", "AUD", "MYR"] as const;

const moneySchema = z.object({ value: z.number().nonnegative(), currency: z.enum(CURRENCIES) });

export const chargeSchema = z
  .object({
    kind: z.enum(CHARGE_KINDS),
    /** A sum of money… */
    amount: moneySchema.optional(),
    /** …or a number of months' salary ("5 tháng lương"). */
    months: z.number().nonnegative().optional(),
    /** When it is to be paid, relative to signing the worker's contract. */
    when: z.enum(["before_contract", "after_contract", "unknown"]).default("unknown"),
    /** Who receives it. */
    paidTo: z.enum(["company", "company_staff_personally", "individual", "foreign_side", "bank_blocked_account", "unknown"]).default("unknown"),
  })
  .describe("One charge the recruiter asks for");
export type Charge = z.input<typeof chargeSchema>;

/** The input, with market and job as any string: `feeCheckSchema(kb)` checks them against the knowledge. */
export const feeCheckInputSchema = z.object({
  market: z.string().min(1).describe("Destination market; 'other' when not in the list"),
  job: z.string().min(1).default(OTHER_JOB),
  route: z.enum(["company", "eps", "direct"]).default("company"),
  /** Length of the contract in months (3 years = 36). */
  contractMonths: z.number().int().positive().max(240).optional(),
  /** The charges are for an extension of an existing contract. */
  extension: z.boolean().default(false),
  monthlySalary: moneySchema.optional(),
  /** VND per unit of foreign currency, when the worker states one ("1 đô = 25.000 đồng"). */
  ratesToVnd: z.record(z.string(), z.number().positive()).default({}),
  charges: z.array(chargeSchema).min(1).max(10),
  /** Price of one economy ticket home, for markets whose deposit cap is "one air ticket". */
  airfarePrice: moneySchema.optional(),
  asOf: z.string().regex(ISO_DATE_RE).optional(),
});
export type FeeCheckInput = z.input<typeof feeCheckInputSchema>;

const schemaCache = new WeakMap<KnowledgeBase, ReturnType<typeof buildFeeCheckSchema>>();
function buildFeeCheckSchema(kb: KnowledgeBase) {
  // An enum, so a model's tool schema lists the values (a knowledge base without markets accepts none).
  const oneOf = (ids: string[]): z.ZodType<string> => (ids.length ? z.enum(ids as [string, ...string[]]) : z.string().refine(() => false, "this knowledge has no markets"));
  return feeCheckInputSchema.extend({
    market: oneOf(kb.markets.ids).describe("Destination market; 'other' when not in the list"),
    job: oneOf(kb.markets.jobIds).default(OTHER_JOB),
  });
}

/** The input schema with this knowledge's markets and jobs as the allowed values (what a model sees). */
export function feeCheckSchema(kb: KnowledgeBase): ReturnType<typeof buildFeeCheckSchema> {
  let schema = schemaCache.get(kb);
  if (!schema) schemaCache.set(kb, (schema = buildFeeCheckSchema(kb)));
  return schema;
}

export type Verdict = "allowed" | "above_cap" | "banned" | "too_early" | "needs_info";

/** What is missing for a verdict, in the order the chat asks for it. */
export type MissingInfo = "contract_months" | "salary" | "rate" | "amount" | "airfare_price";

export interface ChargeResult {
  charge: z.output<typeof chargeSchema>;
  verdict: Verdict;
  /** The cap as a plain phrase ("3 tháng lương"), when there is one. */
  cap?: string;
  /** The cap in months of salary, when it is one. */
  capMonths?: number;
  /** How far above the cap, as a plain phrase. */
  excess?: string;
  missing?: MissingInfo;
  /** One or two plain sentences: the reason. */
  reason: string;
  /** What to do. */
  advice: string;
  citations: ToolCitation[];
}

export interface FeeCheckResult {
  charges: ChargeResult[];
  answer: ToolAnswer;
  /** The first thing the chat should ask for, if any charge needs it. */
  missing?: MissingInfo;
}


/**
 * Facts of a family (`prefix`) that apply to this market, job and route, most specific
 * first: a named job beats "other", which beats "all"; a named market beats "all".
 */
function selectFacts(kb: KnowledgeBase, prefix: string, q: { market: Market; job: Job; route: string }, date: string): Fact[] {
  const jobs = kb.markets.factJobs(q.job);
  const scored: Array<{ fact: Fact; score: number }> = [];
  for (const fact of kb.facts) {
    if (!fact.id.startsWith(prefix) || !inForce(fact, date)) continue;
    const a = fact.applies_to ?? {};
    if (!kb.markets.appliesTo(a.market, q.market)) continue;
    if (a.country) continue; // country-level rules (Brunei, Thailand) need a country the chat does not ask for
    if (a.route && a.route !== q.route) continue;
    const jobSpecific = a.job !== undefined && a.job !== ALL && a.job !== OTHER_JOB;
    if (jobSpecific && !jobs.includes(a.job!)) continue;
    let score = 0;
    if (a.market && a.market !== ALL) score += a.market === q.market ? 4 : 3;
    if (jobSpecific) score += 2;
    else if (a.job === OTHER_JOB) score += 1;
    scored.push({ fact, score });
  }
  return scored.sort((x, y) => y.score - x.score).map((x) => x.fact);
}

interface Context {
  kb: KnowledgeBase;
  input: z.output<typeof feeCheckInputSchema>;
  date: string;
}

/** The salary in the charge's currency, or undefined when a rate is missing. */
function salaryIn(ctx: Context, currency: string): number | undefined {
  const salary = ctx.input.monthlySalary;
  if (!salary) return undefined;
  if (salary.currency === currency) return salary.value;
  const toVnd = (c: string) => (c === "VND" ? 1 : ctx.input.ratesToVnd[c]);
  const from = toVnd(salary.currency);
  const to = toVnd(currency);
  if (from === undefined || to === undefined) return undefined;
  return (salary.value * from) / to;
}

/** A charge expressed in months of salary, or what is missing to say so. */
function inMonths(ctx: Context, charge: z.output<typeof chargeSchema>): { months: number } | { missing: MissingInfo } {
  if (charge.months !== undefined) return { months: charge.months };
  if (!charge.amount) return { missing: "amount" };
  if (!ctx.input.monthlySalary) return { missing: "salary" };
  const salary = salaryIn(ctx, charge.amount.currency);
  if (salary === undefined) return { missing: "rate" };
  if (salary <= 0) return { missing: "salary" };
  return { months: charge.amount.value / salary };
}

const monthsText = (m: number) => `${viNumber(Math.round(m * 100) / 100)} tháng lương`;
const moneyText = (value: number, currency: string) => (currency === "VND" ? `${viNumber(value)} đồng` : `${viNumber(value)} ${currency}`);
const isZero = (f: Fact) => f.value === 0 && f.unit === "VND";

const ASK_RECEIPT = "Chỉ nộp khi có hợp đồng ghi rõ khoản này và đòi biên lai có dấu của công ty.";
const REFUSE = "Không nộp. Nếu đã nộp, giữ biên lai, tin nhắn, ghi âm và báo Sở Nội vụ tỉnh, thành phố nơi bạn ở.";

function checkServiceFee(ctx: Context, charge: z.output<typeof chargeSchema>): ChargeResult {
  const { kb, input, date } = ctx;
  const base = { charge };
  if (charge.when === "before_contract") {
    const rule = factById(kb, "serviceFee.beforeContract");
    return {
      ...base, verdict: "too_early",
      reason: "Công ty chỉ được thu tiền dịch vụ sau khi hợp đồng cung ứng lao động (hợp đồng giữa công ty và phía nước ngoài) được chấp thuận và bạn đã ký hợp đồng với công ty.",
      advice: "Chưa ký hợp đồng thì chưa nộp. " + REFUSE, citations: [citeFact(rule)],
    };
  }
  const q = { market: input.market, job: input.job, route: input.route };
  if (input.extension) {
    const ext = factById(kb, "serviceFeeCap.extension.per12");
    const months = input.contractMonths;
    if (months === undefined) return { ...base, verdict: "needs_info", missing: "contract_months", reason: "Cần biết thời gian gia hạn (bao nhiêu tháng).", advice: ASK_RECEIPT, citations: [citeFact(ext)] };
    return compareMonths(ctx, charge, ext.value * (months / 12), [ext], "Khi gia hạn, tiền dịch vụ chỉ được thu nếu hợp đồng có thỏa thuận, tối đa nửa tháng lương cho mỗi 12 tháng gia hạn.");
  }
  const candidates = selectFacts(kb, "serviceFeeCap.", q, date).filter((f) => f.id !== "serviceFeeCap.longContractThreshold");
  const zero = candidates.find(isZero);
  const per12 = candidates.find((f) => f.unit === "months_salary_per_12" && f.applies_to?.case === "general");
  // A zero cap for this market and job beats a general per-12-months cap.
  if (zero && (!per12 || specificity(zero) >= specificity(per12))) {
    const paid = charge.months ?? charge.amount?.value;
    return {
      ...base, verdict: paid === 0 ? "allowed" : "banned", cap: "0 đồng",
      reason: "Với thị trường và công việc này, công ty không được thu tiền dịch vụ của bạn.",
      advice: REFUSE, citations: [citeFact(zero)],
    };
  }
  if (!per12) {
    return { ...base, verdict: "needs_info", reason: "Mình chưa có mức trần cho trường hợp này.", advice: "Hỏi Sở Nội vụ tỉnh, thành phố nơi bạn ở.", citations: [] };
  }
  const months = input.contractMonths;
  if (months === undefined) {
    return { ...base, verdict: "needs_info", missing: "contract_months", reason: "Mức trần tính theo thời hạn hợp đồng, nên cần biết hợp đồng mấy năm.", advice: ASK_RECEIPT, citations: [citeFact(per12)] };
  }
  const threshold = factById(kb, "serviceFeeCap.longContractThreshold");
  const max36 = candidates.find(
    (f) => f.unit === "months_salary" && f.applies_to?.case === "contract_36_months_or_more" && f.applies_to?.job === per12.applies_to?.job && f.applies_to?.market === per12.applies_to?.market,
  );
  const used = [per12];
  let cap = per12.value * (months / 12);
  if (months >= threshold.value && max36) {
    cap = Math.min(cap, max36.value);
    used.push(max36);
  }
  const general = per12.applies_to?.market === "all";
  const why = general
    ? `Mức chung: tối đa ${viNumber(per12.value)} tháng lương cho mỗi 12 tháng làm việc${max36 ? `, hợp đồng từ ${threshold.value} tháng trở lên thì cả hợp đồng không quá ${viNumber(max36.value)} tháng lương` : ""}.`
    : `Với thị trường và công việc này: tối đa ${viNumber(per12.value)} tháng lương cho mỗi 12 tháng${max36 ? `, không quá ${viNumber(max36.value)} tháng lương nếu hợp đồng từ ${threshold.value} tháng` : ""}.`;
  return compareMonths(ctx, charge, cap, used, why);
}

function specificity(f: Fact): number {
  const a = f.applies_to ?? {};
  return (a.market && a.market !== "all" ? 4 : 0) + (a.job && a.job !== "all" && a.job !== "other" ? 2 : 0);
}

function compareMonths(ctx: Context, charge: z.output<typeof chargeSchema>, capMonths: number, facts: Fact[], why: string): ChargeResult {
  const citations = facts.map(citeFact);
  const salary = ctx.input.monthlySalary;
  const cap = monthsText(capMonths) + (salary ? ` (khoảng ${moneyText(Math.round(capMonths * salary.value), salary.currency)})` : "");
  const asked = inMonths(ctx, charge);
  const base = { charge, cap, capMonths, citations };
  if ("missing" in asked) {
    const question = { salary: "Cần biết lương mỗi tháng trong hợp đồng để so sánh.", rate: "Lương và khoản tiền khác loại tiền, cần tỷ giá để so sánh.", amount: "Cần biết số tiền công ty đòi.", contract_months: "", airfare_price: "" }[asked.missing];
    return { ...base, verdict: "needs_info", missing: asked.missing, reason: `${why} ${question}`, advice: ASK_RECEIPT };
  }
  // Half a percent of a month's salary is rounding in the worker's own arithmetic.
  if (asked.months <= capMonths * 1.005) {
    return { ...base, verdict: "allowed", reason: `Mức tối đa là ${cap}, khoản này không vượt. ${why}`, advice: ASK_RECEIPT };
  }
  const excessMonths = asked.months - capMonths;
  const excess = salary ? `${monthsText(excessMonths)} (khoảng ${moneyText(Math.round(excessMonths * salary.value), salary.currency)})` : monthsText(excessMonths);
  return {
    ...base, verdict: "above_cap", excess,
    reason: `Mức tối đa là ${cap}; khoản này vượt ${excess}. ${why}`,
    advice: "Chỉ nộp tối đa bằng mức trần, có biên lai. Nếu công ty không chịu, báo Sở Nội vụ tỉnh, thành phố nơi bạn ở.",
  };
}

function checkDeposit(ctx: Context, charge: z.output<typeof chargeSchema>): ChargeResult {
  const { kb, input, date } = ctx;
  const when = factById(kb, "workerDeposit.beforeContract");
  if (charge.paidTo === "company_staff_personally" || charge.paidTo === "individual") {
    return {
      charge, verdict: "banned",
      reason: "Tiền ký quỹ phải gửi vào tài khoản phong tỏa đứng tên bạn ở ngân hàng, không đưa tiền mặt cho nhân viên hay người môi giới.",
      advice: REFUSE, citations: [citeFact(when)],
    };
  }
  if (charge.when === "before_contract") {
    return {
      charge, verdict: "too_early",
      reason: "Chỉ ký quỹ sau khi bạn đã ký hợp đồng với công ty và phía nước ngoài đã nhận bạn (hoặc bạn đã có thị thực).",
      advice: "Chưa đến lúc thì chưa nộp. " + REFUSE, citations: [citeFact(when)],
    };
  }
  if (input.route === "eps") {
    const eps = factById(kb, "eps.deposit.amount");
    return compareMoney(charge, eps.value, "VND", [eps], `Đi Hàn theo EPS, mức ký quỹ là ${moneyText(eps.value, "VND")}, nộp ở Ngân hàng Chính sách xã hội nơi bạn thường trú.`);
  }
  const crew = kb.markets.factJobs(input.job).includes(CREW_DEPOSIT_JOB);
  const cap = selectDepositCap(kb, depositRegion(kb, input.market), crew ? CREW_DEPOSIT_JOB : OTHER_JOB, date, input.route);
  if (!cap) {
    return { charge, verdict: "needs_info", reason: "Mình chưa có mức ký quỹ cho trường hợp này.", advice: "Hỏi Sở Nội vụ tỉnh, thành phố nơi bạn ở.", citations: [citeFact(when)] };
  }
  if (cap.unit === "economy_air_tickets" && input.airfarePrice) {
    const price = input.airfarePrice;
    return compareMoney(charge, cap.value * price.value, price.currency, [cap], `Với nước này, ký quỹ tối đa bằng giá ${viNumber(cap.value)} vé máy bay hạng phổ thông về Việt Nam (bạn nói khoảng ${moneyText(price.value, price.currency)}).`);
  }
  if (cap.unit === "economy_air_tickets") {
    return {
      charge, verdict: "needs_info", missing: "airfare_price", cap: "giá 1 vé máy bay hạng phổ thông",
      reason: "Với nước này, ký quỹ tối đa bằng giá một vé máy bay hạng phổ thông từ nơi làm việc về Việt Nam. Cần biết giá vé để so sánh.",
      advice: ASK_RECEIPT, citations: [citeFact(cap)],
    };
  }
  if (cap.unit !== "VND") return { charge, verdict: "needs_info", reason: "Mức ký quỹ này cần đối chiếu thêm.", advice: ASK_RECEIPT, citations: [citeFact(cap)] };
  if (cap.value === 0) {
    return { charge, verdict: (charge.amount?.value ?? 1) === 0 ? "allowed" : "banned", cap: "0 đồng", reason: "Trường hợp này không phải ký quỹ.", advice: REFUSE, citations: [citeFact(cap)] };
  }
  return compareMoney(charge, cap.value, "VND", [cap], `Ký quỹ tối đa ${moneyText(cap.value, "VND")}, gửi vào tài khoản phong tỏa đứng tên bạn ở ngân hàng.`);
}

function compareMoney(charge: z.output<typeof chargeSchema>, capValue: number, currency: string, facts: Fact[], why: string): ChargeResult {
  const citations = facts.map(citeFact);
  const cap = moneyText(capValue, currency);
  if (!charge.amount) return { charge, verdict: "needs_info", missing: "amount", cap, reason: `${why} Cần biết số tiền công ty đòi.`, advice: ASK_RECEIPT, citations };
  if (charge.amount.currency !== currency) {
    return { charge, verdict: "needs_info", missing: "rate", cap, reason: `${why} Khoản tiền tính bằng ${charge.amount.currency}, cần đổi ra đồng để so sánh.`, advice: ASK_RECEIPT, citations };
  }
  if (charge.amount.value <= capValue) return { charge, verdict: "allowed", cap, reason: `Mức tối đa là ${cap}, khoản này không vượt. ${why}`, advice: ASK_RECEIPT, citations };
  const excess = moneyText(charge.amount.value - capValue, currency);
  return { charge, verdict: "above_cap", cap, excess, reason: `Mức tối đa là ${cap}; khoản này vượt ${excess}. ${why}`, advice: "Chỉ nộp tối đa bằng mức trên. Nếu bị ép nộp hơn, báo Sở Nội vụ tỉnh, thành phố nơi bạn ở.", citations };
}

function checkCharge(ctx: Context, charge: z.output<typeof chargeSchema>): ChargeResult {
  const { kb } = ctx;
  switch (charge.kind) {
    case "service_fee":
      return checkServiceFee(ctx, charge);
    case "deposit":
      return checkDeposit(ctx, charge);
    case "brokerage": {
      const rule = factById(kb, "brokerage.fromWorker");
      return { charge, verdict: "banned", cap: "0 đồng", reason: "Không ai được thu tiền môi giới của người lao động, dù là bao nhiêu.", advice: REFUSE, citations: [citeFact(rule)] };
    }
    case "package": {
      // "Trọn gói" lumps the service fee with real costs: no verdict on the total, but the
      // service-fee part has a cap the family can hold the company to.
      const fee = checkServiceFee(ctx, { ...charge, kind: "service_fee", amount: undefined, months: 0 });
      const capNote = fee.cap ? ` Riêng tiền dịch vụ tối đa là ${fee.cap}.` : "";
      return {
        charge, verdict: "needs_info", missing: fee.missing, cap: fee.cap,
        reason: `Tiền trọn gói gồm nhiều khoản nên chưa nói được đúng hay sai.${capNote} Các khoản khác (học, khám sức khỏe, vé máy bay, thị thực) phải ghi rõ từng khoản, có hóa đơn.`,
        advice: "Đề nghị công ty ghi từng khoản trong hợp đồng, mỗi khoản một biên lai. " + ASK_RECEIPT,
        citations: fee.citations,
      };
    }
    case "selection_fee": {
      const rule = factById(kb, "selectionFee.fromWorker");
      return { charge, verdict: "banned", cap: "0 đồng", reason: "Công ty phải tự tuyển chọn và không được thu phí tuyển chọn, tiền giữ chỗ.", advice: REFUSE, citations: [citeFact(rule)] };
    }
    default:
      // Training, health checks, passports, visas and tickets are real costs a worker may
      // pay; our facts set no cap for them, so no verdict without a citation.
      return {
        charge, verdict: "needs_info",
        reason: "Khoản này có thể là chi phí thật (học, khám sức khỏe, hộ chiếu, thị thực, vé máy bay). Mình chưa có mức trần để so sánh.",
        advice: "Đòi hóa đơn hoặc biên lai đúng giá của nơi thu (bệnh viện, trường, hãng bay) và hỏi Sở Nội vụ tỉnh, thành phố nơi bạn ở nếu thấy quá cao.",
        citations: [],
      };
  }
}

const CHARGE_LABEL: Record<ChargeKind, string> = {
  service_fee: "Tiền dịch vụ",
  brokerage: "Tiền môi giới",
  deposit: "Tiền ký quỹ",
  training: "Tiền học",
  health_check: "Tiền khám sức khỏe",
  visa_passport: "Tiền hộ chiếu, thị thực",
  airfare: "Tiền vé máy bay",
  selection_fee: "Phí tuyển chọn, giữ chỗ",
  package: "Tiền trọn gói",
  other: "Khoản tiền khác",
};

const VERDICT_LABEL: Record<Verdict, string> = {
  allowed: "trong mức cho phép",
  above_cap: "CAO HƠN mức cho phép",
  banned: "KHÔNG được thu",
  too_early: "CHƯA được thu lúc này",
  needs_info: "cần thêm thông tin",
};

function chargeAmountText(c: z.output<typeof chargeSchema>): string {
  if (c.months !== undefined) return ` ${monthsText(c.months)}`;
  if (c.amount) return ` ${moneyText(c.amount.value, c.amount.currency)}`;
  return "";
}

/** Checks every charge; pure, synchronous, no model. */
export function checkFees(kb: KnowledgeBase, rawInput: FeeCheckInput): FeeCheckResult {
  const input = feeCheckSchema(kb).parse(rawInput);
  const ctx: Context = { kb, input, date: input.asOf ?? isoToday() };
  const results = input.charges.map((c) => {
    const result = checkCharge(ctx, c);
    // A verdict must rest on a fact: without a citation it can only ask for more.
    if (result.verdict !== "needs_info" && result.citations.length === 0) {
      return { ...result, verdict: "needs_info" as const, reason: `${result.reason} Mình chưa có văn bản để khẳng định.` };
    }
    return result;
  });
  const citations = uniqueCitations(results.flatMap((r) => r.citations));
  const hedged = needsHedge(citations);
  const label = (r: ChargeResult) =>
    r.verdict === "banned" && (r.charge.paidTo === "company_staff_personally" || r.charge.paidTo === "individual")
      ? "KHÔNG được nộp theo cách này"
      : VERDICT_LABEL[r.verdict];
  const lines = results.map((r) => `• ${CHARGE_LABEL[r.charge.kind]}${chargeAmountText(r.charge)}: ${label(r)}. ${r.reason}`);
  const advice = [...new Set(results.map((r) => r.advice))];
  lines.push(`Nên làm: ${advice.join(" ")}`);
  if (hedged) lines.push("Lưu ý: một số mức trên lấy từ bản chép lại văn bản, chưa đối chiếu bản gốc. Hãy hỏi Sở Nội vụ tỉnh, thành phố nơi bạn ở để chắc chắn.");
  const order: MissingInfo[] = ["contract_months", "salary", "rate", "amount", "airfare_price"];
  const missing = order.find((m) => results.some((r) => r.missing === m));
  return { charges: results, answer: { text: lines.join("\n"), citations, hedged }, missing };
}

/** The LangChain tool: the optional LLM mode calls exactly this code. */
export function checkFeesTool(kb: KnowledgeBase) {
  return tool(async (input) => JSON.stringify(checkFees(kb, input)), {
    name: "check_fees",
    description:
      "Check whether charges a recruitment company asks a Vietnamese worker to pay (service fee, brokerage, deposit, selection fee…) are legal, from the legal caps in the knowledge base. Returns a verdict per charge with the cap and its citation.",
    schema: feeCheckSchema(kb),
  });
}

/**
 * `checkFees`: is what a recruiter demands legal? Decided by code from the figures in
 * `knowledge/facts/` — never by a model. Each charge gets a verdict with the cap and its
 * citation; a verdict that cannot cite a fact becomes "needs more information". The
 * sentences are templates in `prompts/skills/fee.yaml`, filled with the facts' figures.
 *
 * @example
 * checkFees(kb, {
 *   market: "taiwan", job: "factory", contractMonths: 36,
 *   charges: [{ kind: "service_fee", months: 5 }],
 * }).charges[0].verdict; // "above_cap" (cap 3 months, Luật 69/2020/QH14, Điều 23 khoản 4 điểm a)
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import { ALL, OTHER_JOB, type Job, type Market } from "../../knowledge/markets.ts";
import { fill, ISO_DATE_RE, isoToday, textRoom, viNumber } from "../../text/wording.ts";
import { citeFact, factById, inForce, needsHedge, officeType, toCitations, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { composeAnswer, type AnswerLine, type ToolAnswer } from "../answer.ts";
import { CHARGE_KINDS, type ChargeKind } from "./charges.ts";
import { feeTexts, type FeeTexts } from "./texts.ts";

export type { Job, Market };
export { CHARGE_KINDS, type ChargeKind };

/** The tool's market for a destination not in the list (knowledge/markets.yaml has it). */
export const OTHER_MARKET: Market = "other";

/** What the tool does, for a model (the Skill and the LangChain tool share it). */
export const FEE_TOOL_DESCRIPTION =
  "Check whether charges a recruitment company asks a Vietnamese worker to pay (service fee, brokerage, deposit, selection fee…) are legal, from the legal caps in the knowledge base. Returns a verdict per charge with the cap and its citation.";

/** Fact ids and families the check reads; the figures themselves live in knowledge/facts/. */
const FACTS = {
  serviceFeeCaps: "serviceFeeCap.",
  longContract: "serviceFeeCap.longContractThreshold",
  extension: "serviceFeeCap.extension.per12",
  serviceFeeTooEarly: "serviceFee.beforeContract",
  depositCaps: "workerDepositCap.",
  /** Deposits a state programme sets for its own route (applies_to.route is the programme). */
  programmeDeposits: ["eps.deposit.amount"],
  depositTooEarly: "workerDeposit.beforeContract",
  brokerage: "brokerage.fromWorker",
  selectionFee: "selectionFee.fromWorker",
} as const;

/** Office types (knowledge/offices/office-types.yaml) the answers send people to. */
const OFFICES = { complaints: "home_affairs_department", programmeDeposit: "social_policy_bank" } as const;

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
  market: z.string().min(1).describe(`Destination market; '${OTHER_MARKET}' when not in the list`),
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
    market: oneOf(kb.markets.ids).describe(`Destination market; '${OTHER_MARKET}' when not in the list`),
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
 * Facts of a family that apply to this market, job and route, most specific first: a
 * named job beats "other", which beats "all"; the market itself beats the regions it
 * belongs to (in its fact_markets order), which beat "all".
 */
function selectFacts(kb: KnowledgeBase, family: (fact: Fact) => boolean, q: { market: Market; job: Job; route: string }, date: string): Fact[] {
  const jobs = kb.markets.factJobs(q.job);
  const regions = kb.markets.factMarkets(q.market);
  const scored: Array<{ fact: Fact; score: number }> = [];
  for (const fact of kb.facts) {
    if (!family(fact) || !inForce(fact, date)) continue;
    const a = fact.applies_to ?? {};
    if (!kb.markets.appliesTo(a.market, q.market)) continue;
    if (a.country) continue; // country-level rules (Brunei, Thailand) need a country the chat does not ask for
    if (a.route && a.route !== q.route) continue;
    const jobSpecific = a.job !== undefined && a.job !== ALL && a.job !== OTHER_JOB;
    if (jobSpecific && !jobs.includes(a.job!)) continue;
    let score = 0;
    // A region listed earlier in fact_markets is the more specific one (a tie-break only).
    if (a.market && a.market !== ALL) score += a.market === q.market ? 4 : 3 - Math.max(0, regions.indexOf(a.market)) / 100;
    if (jobSpecific) score += 2;
    else if (a.job === OTHER_JOB) score += 1;
    scored.push({ fact, score });
  }
  return scored.sort((x, y) => y.score - x.score).map((x) => x.fact);
}

/**
 * The deposit cap for a market, job and route: the market's caps, most specific first; a
 * programme's own deposit (EPS) is one of them, for the programme's route only (its fact's
 * applies_to.route). The one deposit-cap selector: the deposit guidance uses it too.
 */
export function selectDepositCap(kb: KnowledgeBase, q: { market: Market; job: Job; route: string }, date: string): Fact | undefined {
  const isDeposit = (f: Fact) => f.id.startsWith(FACTS.depositCaps) || (FACTS.programmeDeposits as readonly string[]).includes(f.id);
  return selectFacts(kb, isDeposit, q, date)[0];
}

interface Context {
  kb: KnowledgeBase;
  input: z.output<typeof feeCheckInputSchema>;
  date: string;
  t: FeeTexts;
  /** Where a worker reports a company or asks about a case: the provincial office's name. */
  office: string;
}

type ParsedCharge = z.output<typeof chargeSchema>;

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
function inMonths(ctx: Context, charge: ParsedCharge): { months: number } | { missing: MissingInfo } {
  if (charge.months !== undefined) return { months: charge.months };
  if (!charge.amount) return { missing: "amount" };
  if (!ctx.input.monthlySalary) return { missing: "salary" };
  const salary = salaryIn(ctx, charge.amount.currency);
  if (salary === undefined) return { missing: "rate" };
  if (salary <= 0) return { missing: "salary" };
  return { months: charge.amount.value / salary };
}

const monthsText = (ctx: Context, m: number) => fill(ctx.t.amounts.months_salary, { months: viNumber(Math.round(m * 100) / 100) });
const moneyText = (ctx: Context, value: number, currency: string) =>
  currency === "VND" ? fill(ctx.t.amounts.vnd, { value: viNumber(value) }) : fill(ctx.t.amounts.foreign, { value: viNumber(value), currency });
const withMoney = (ctx: Context, months: number) => {
  const salary = ctx.input.monthlySalary;
  const amount = monthsText(ctx, months);
  return salary ? fill(ctx.t.amounts.with_money, { amount, money: moneyText(ctx, Math.round(months * salary.value), salary.currency) }) : amount;
};
const isZero = (f: Fact) => f.value === 0 && f.unit === "VND";
const toPerson = (c: ParsedCharge) => c.paidTo === "company_staff_personally" || c.paidTo === "individual";

/** The advice templates, with the office filled in. */
function advice(ctx: Context): Record<keyof FeeTexts["advice"], string> {
  const out = {} as Record<keyof FeeTexts["advice"], string>;
  for (const [key, text] of Object.entries(ctx.t.advice)) out[key as keyof FeeTexts["advice"]] = fill(text, { office: ctx.office });
  return out;
}

function checkServiceFee(ctx: Context, charge: ParsedCharge): ChargeResult {
  const { kb, input, date, t } = ctx;
  const say = advice(ctx);
  const base = { charge };
  if (charge.when === "before_contract") {
    const rule = factById(kb, FACTS.serviceFeeTooEarly);
    return { ...base, verdict: "too_early", reason: t.reasons.service_fee_too_early, advice: `${say.not_before_contract} ${say.refuse}`, citations: [citeFact(rule)] };
  }
  const q = { market: input.market, job: input.job, route: input.route };
  if (input.extension) {
    const ext = factById(kb, FACTS.extension);
    const months = input.contractMonths;
    if (months === undefined) return { ...base, verdict: "needs_info", missing: "contract_months", reason: t.reasons.extension_length_missing, advice: say.ask_receipt, citations: [citeFact(ext)] };
    return compareMonths(ctx, charge, ext.value * (months / 12), [ext], fill(t.reasons.extension, { per12: viNumber(ext.value) }));
  }
  const candidates = selectFacts(kb, (f) => f.id.startsWith(FACTS.serviceFeeCaps) && f.id !== FACTS.longContract && f.id !== FACTS.extension, q, date);
  const zero = candidates.find(isZero);
  const per12 = candidates.find((f) => f.unit === "months_salary_per_12" && f.applies_to?.case === "general");
  // A zero cap for this market and job beats a general per-12-months cap.
  if (zero && (!per12 || specificity(zero) >= specificity(per12))) {
    const paid = charge.months ?? charge.amount?.value;
    return { ...base, verdict: paid === 0 ? "allowed" : "banned", cap: moneyText(ctx, 0, "VND"), reason: t.reasons.no_service_fee, advice: say.refuse, citations: [citeFact(zero)] };
  }
  if (!per12) return { ...base, verdict: "needs_info", reason: t.reasons.no_service_fee_cap, advice: say.ask_office, citations: [] };
  const months = input.contractMonths;
  if (months === undefined) {
    return { ...base, verdict: "needs_info", missing: "contract_months", reason: t.reasons.contract_length_missing, advice: say.ask_receipt, citations: [citeFact(per12)] };
  }
  const threshold = factById(kb, FACTS.longContract);
  const max36 = candidates.find(
    (f) => f.unit === "months_salary" && f.applies_to?.case === "contract_36_months_or_more" && f.applies_to?.job === per12.applies_to?.job && f.applies_to?.market === per12.applies_to?.market,
  );
  const used = [per12];
  let cap = per12.value * (months / 12);
  if (months >= threshold.value && max36) {
    cap = Math.min(cap, max36.value);
    used.push(max36);
  }
  const general = per12.applies_to?.market === ALL;
  const figures = { per12: viNumber(per12.value), max: viNumber(max36?.value ?? 0), threshold: viNumber(threshold.value) };
  const why = fill(general ? (max36 ? t.reasons.general_cap_long : t.reasons.general_cap) : max36 ? t.reasons.specific_cap_long : t.reasons.specific_cap, figures);
  return compareMonths(ctx, charge, cap, used, why);
}

function specificity(f: Fact): number {
  const a = f.applies_to ?? {};
  return (a.market && a.market !== ALL ? 4 : 0) + (a.job && a.job !== ALL && a.job !== OTHER_JOB ? 2 : 0);
}

function compareMonths(ctx: Context, charge: ParsedCharge, capMonths: number, facts: Fact[], why: string): ChargeResult {
  const { t } = ctx;
  const say = advice(ctx);
  const citations = facts.map(citeFact);
  const cap = withMoney(ctx, capMonths);
  const asked = inMonths(ctx, charge);
  const base = { charge, cap, capMonths, citations };
  if ("missing" in asked) {
    const question = { salary: t.reasons.salary_missing, rate: t.reasons.rate_missing, amount: t.reasons.amount_missing, contract_months: "", airfare_price: "" }[asked.missing];
    return { ...base, verdict: "needs_info", missing: asked.missing, reason: `${why} ${question}`, advice: say.ask_receipt };
  }
  // Half a percent of a month's salary is rounding in the worker's own arithmetic.
  if (asked.months <= capMonths * 1.005) {
    return { ...base, verdict: "allowed", reason: fill(t.reasons.within, { cap, why }), advice: say.ask_receipt };
  }
  const excess = withMoney(ctx, asked.months - capMonths);
  return { ...base, verdict: "above_cap", excess, reason: fill(t.reasons.above, { cap, excess, why }), advice: say.pay_up_to_cap };
}

function checkDeposit(ctx: Context, charge: ParsedCharge): ChargeResult {
  const { kb, input, date, t } = ctx;
  const say = advice(ctx);
  const when = factById(kb, FACTS.depositTooEarly);
  if (toPerson(charge)) {
    return { charge, verdict: "banned", reason: t.reasons.deposit_to_a_person, advice: say.refuse, citations: [citeFact(when)] };
  }
  if (charge.when === "before_contract") {
    return { charge, verdict: "too_early", reason: t.reasons.deposit_too_early, advice: `${say.not_yet} ${say.refuse}`, citations: [citeFact(when)] };
  }
  const cap = selectDepositCap(kb, { market: input.market, job: input.job, route: input.route }, date);
  if (!cap) {
    return { charge, verdict: "needs_info", reason: t.reasons.no_deposit_cap, advice: say.ask_office, citations: [citeFact(when)] };
  }
  const programme = kb.markets.programmeOf(input.market);
  if (programme && cap.applies_to?.route === programme.id && cap.unit === "VND") {
    const why = fill(t.reasons.programme_deposit, {
      market: kb.markets.nameOf(input.market), programme: programme.name, amount: moneyText(ctx, cap.value, "VND"), office: officeType(kb, OFFICES.programmeDeposit).name,
    });
    return compareMoney(ctx, charge, cap.value, "VND", [cap], why);
  }
  const tickets = viNumber(cap.value);
  if (cap.unit === "economy_air_tickets" && input.airfarePrice) {
    const price = input.airfarePrice;
    return compareMoney(ctx, charge, cap.value * price.value, price.currency, [cap], fill(t.reasons.ticket_cap, { tickets, price: moneyText(ctx, price.value, price.currency) }));
  }
  if (cap.unit === "economy_air_tickets") {
    return {
      charge, verdict: "needs_info", missing: "airfare_price", cap: fill(t.amounts.tickets, { tickets }),
      reason: fill(t.reasons.ticket_price_missing, { tickets }), advice: say.ask_receipt, citations: [citeFact(cap)],
    };
  }
  if (cap.unit !== "VND") return { charge, verdict: "needs_info", reason: t.reasons.deposit_unit_unknown, advice: say.ask_receipt, citations: [citeFact(cap)] };
  if (cap.value === 0) {
    return { charge, verdict: (charge.amount?.value ?? 1) === 0 ? "allowed" : "banned", cap: moneyText(ctx, 0, "VND"), reason: t.reasons.no_deposit, advice: say.refuse, citations: [citeFact(cap)] };
  }
  return compareMoney(ctx, charge, cap.value, "VND", [cap], fill(t.reasons.deposit_cap, { cap: moneyText(ctx, cap.value, "VND") }));
}

function compareMoney(ctx: Context, charge: ParsedCharge, capValue: number, currency: string, facts: Fact[], why: string): ChargeResult {
  const { t } = ctx;
  const say = advice(ctx);
  const citations = facts.map(citeFact);
  const cap = moneyText(ctx, capValue, currency);
  if (!charge.amount) return { charge, verdict: "needs_info", missing: "amount", cap, reason: `${why} ${t.reasons.amount_missing}`, advice: say.ask_receipt, citations };
  if (charge.amount.currency !== currency) {
    return { charge, verdict: "needs_info", missing: "rate", cap, reason: `${why} ${fill(t.reasons.foreign_currency, { currency: charge.amount.currency })}`, advice: say.ask_receipt, citations };
  }
  if (charge.amount.value <= capValue) return { charge, verdict: "allowed", cap, reason: fill(t.reasons.within, { cap, why }), advice: say.ask_receipt, citations };
  const excess = moneyText(ctx, charge.amount.value - capValue, currency);
  return { charge, verdict: "above_cap", cap, excess, reason: fill(t.reasons.above, { cap, excess, why }), advice: say.pay_up_to_amount, citations };
}

function checkCharge(ctx: Context, charge: ParsedCharge): ChargeResult {
  const { kb, t } = ctx;
  const say = advice(ctx);
  switch (charge.kind) {
    case "service_fee":
      return checkServiceFee(ctx, charge);
    case "deposit":
      return checkDeposit(ctx, charge);
    case "brokerage": {
      const rule = factById(kb, FACTS.brokerage);
      return { charge, verdict: "banned", cap: moneyText(ctx, 0, "VND"), reason: t.reasons.brokerage, advice: say.refuse, citations: [citeFact(rule)] };
    }
    case "package": {
      // "Trọn gói" lumps the service fee with real costs: no verdict on the total, but the
      // service-fee part has a cap the family can hold the company to.
      const fee = checkServiceFee(ctx, { ...charge, kind: "service_fee", amount: undefined, months: 0 });
      const capNote = fee.cap ? fill(t.reasons.package_service_fee, { cap: fee.cap }) : "";
      return {
        charge, verdict: "needs_info", missing: fee.missing, cap: fee.cap,
        reason: [t.reasons.package, capNote, t.reasons.package_items].filter(Boolean).join(" "),
        advice: `${say.itemise} ${say.ask_receipt}`,
        citations: fee.citations,
      };
    }
    case "selection_fee": {
      const rule = factById(kb, FACTS.selectionFee);
      return { charge, verdict: "banned", cap: moneyText(ctx, 0, "VND"), reason: t.reasons.selection_fee, advice: say.refuse, citations: [citeFact(rule)] };
    }
    default:
      // Training, health checks, passports, visas and tickets are real costs a worker may
      // pay; our facts set no cap for them, so no verdict without a citation.
      return { charge, verdict: "needs_info", reason: t.reasons.real_costs, advice: say.real_costs, citations: [] };
  }
}

function chargeAmountText(ctx: Context, c: ParsedCharge): string {
  if (c.months !== undefined) return ` ${monthsText(ctx, c.months)}`;
  if (c.amount) return ` ${moneyText(ctx, c.amount.value, c.amount.currency)}`;
  return "";
}

/** Which advice is kept first when not all of it fits: refusing before comparing, comparing before receipts. */
const GRAVITY: Record<Verdict, number> = { banned: 0, too_early: 0, above_cap: 1, allowed: 2, needs_info: 3 };

/**
 * The answer in one message: a line per charge (its verdict and why), what to do, and the
 * hedge when a figure is not fully verified. When that does not fit with the citation
 * lines, every verdict keeps a short line, the advice keeps the steps of the gravest
 * verdicts that fit, and the reasons fill what room is left, the first charges' first;
 * the hedge stays last.
 */
function answerOf(ctx: Context, results: ChargeResult[]): ToolAnswer {
  const { kb, t } = ctx;
  const citations = uniqueCitations(results.flatMap((r) => r.citations));
  const hedge = needsHedge(citations) ? fill(t.hedge, { office: ctx.office }) : "";
  const room = textRoom(toCitations(kb, citations));
  const size = (lines: AnswerLine[]) => lines.reduce((n, l) => n + l.text.length + 1, 0) + hedge.length;
  const head = (r: ChargeResult) => ({
    charge: t.charges[r.charge.kind],
    amount: chargeAmountText(ctx, r.charge),
    verdict: r.verdict === "banned" && toPerson(r.charge) ? t.verdicts.wrong_way : t.verdicts[r.verdict],
  });
  const advice = [...new Set(results.map((r) => r.advice))];
  const todo = (steps: string[]): AnswerLine => ({ text: fill(t.advice_line, { advice: steps.join(" ") }), priority: 1, cites: [] });
  const whole: AnswerLine[] = [...results.map((r): AnswerLine => ({ text: fill(t.charge_line, { ...head(r), reason: r.reason }), priority: 1, cites: r.citations })), todo(advice)];
  if (size(whole) <= room) return composeAnswer(whole, hedge, room);

  const verdicts = results.map((r): AnswerLine => ({ text: fill(t.charge_verdict, head(r)), priority: 1, cites: r.citations }));
  let budget = room - size([...verdicts, todo([])]);
  const kept = new Set<string>();
  const gravest = [...results].sort((x, y) => GRAVITY[x.verdict] - GRAVITY[y.verdict]).map((r) => r.advice);
  for (const step of new Set(gravest)) {
    // The gravest step always stays, even alone over the budget.
    if (kept.size > 0 && step.length + 1 > budget) continue;
    kept.add(step);
    budget -= step.length + 1;
  }
  const lines = results.flatMap((r, i): AnswerLine[] => [verdicts[i]!, { text: r.reason, priority: 3, cites: [] }]);
  return composeAnswer([...lines, todo(advice.filter((a) => kept.has(a)))], hedge, room);
}

/** Checks every charge; pure, synchronous, no model. */
export function checkFees(kb: KnowledgeBase, rawInput: FeeCheckInput): FeeCheckResult {
  const input = feeCheckSchema(kb).parse(rawInput);
  const ctx: Context = { kb, input, date: input.asOf ?? isoToday(), t: feeTexts(kb), office: officeType(kb, OFFICES.complaints).name };
  const results = input.charges.map((c) => {
    const result = checkCharge(ctx, c);
    // A verdict must rest on a fact: without a citation it can only ask for more.
    if (result.verdict !== "needs_info" && result.citations.length === 0) {
      return { ...result, verdict: "needs_info" as const, reason: `${result.reason} ${ctx.t.reasons.no_document}` };
    }
    return result;
  });
  const order: MissingInfo[] = ["contract_months", "salary", "rate", "amount", "airfare_price"];
  const missing = order.find((m) => results.some((r) => r.missing === m));
  return { charges: results, answer: answerOf(ctx, results), missing };
}


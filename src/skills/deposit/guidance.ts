/**
 * `depositGuidance`: how much deposit (tiền ký quỹ) a worker may be asked for, where the
 * money must be kept and how it comes back. Decided by code from `knowledge/facts/`
 * (worker-deposit.yaml, eps.yaml, penalties.yaml, misc.yaml); rules without a number are
 * cited from their rule facts. No legal figure, market or sentence is written in this
 * file: the cap is the fee check's deposit-cap selector's (fee/check.ts), markets and
 * programmes come from knowledge/markets.yaml, the wording from prompts/skills/deposit.yaml
 * (texts.ts) and the job words from knowledge/vocabulary/deposit.yaml (vocabulary.ts).
 *
 * @example
 * depositGuidance(kb, { market: "dai loan", job: "nhà máy", amountAsked: "30tr" });
 * // result.cap.value 12000000, result.comparison { kind: "above", overBy: 18000000, … }
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import { OTHER_JOB, type Job, type Market } from "../../knowledge/markets.ts";
import { ruleText } from "../../text/normalize.ts";
import { isMonths, parseAmount, type ParsedAmount } from "../../text/amount.ts";
import { citeFact, citeRule, confirmWith, factById, inForce, officeType, toCitations } from "../../knowledge/cite.ts";
import { composeAnswer, safeEcho, type AnswerLine, type ToolAnswer } from "../answer.ts";
import { fill, formatDate, formatMonths, formatVnd, isoToday, ISO_DATE_RE, MAX_REPLY_CHARS, textRoom, viNumber } from "../../text/wording.ts";
import { OTHER_MARKET, selectDepositCap } from "../fee/check.ts";
import { depositTexts, INPUT_FIELDS, type DepositTexts } from "./texts.ts";
import { depositVocabulary } from "./vocabulary.ts";

// ---------------------------------------------------------------------------------------
// Markets, as the deposit table groups them
// ---------------------------------------------------------------------------------------

/** A row of the deposit table: the applies_to.market of worker-deposit caps ("taiwan", "southeast_asia", "other"). */
export type MarketRegion = string;

export interface ParsedMarket {
  region: MarketRegion;
  /** Plain Vietnamese name of what was recognised ("Đức", "Malaysia", "Hàn Quốc"). */
  name: string;
  /** The text named the EPS programme (Korea, government route). */
  eps: boolean;
}

const regionCache = new WeakMap<KnowledgeBase, Set<string>>();

/** The deposit table's row for a destination market: its first fact market that has a cap. */
export function depositRegion(kb: KnowledgeBase, market: Market): MarketRegion {
  let rows = regionCache.get(kb);
  if (!rows) regionCache.set(kb, (rows = new Set(kb.facts.filter((f) => f.id.startsWith(DEPOSIT_FACTS.capPrefix)).map((f) => f.applies_to?.market ?? OTHER_MARKET))));
  return kb.markets.factMarkets(market).find((m) => rows.has(m)) ?? OTHER_MARKET;
}

/**
 * The destination named in the text (knowledge/markets.yaml), with its row of the deposit table.
 *
 * @example
 * parseMarket(kb, "di nhat");     // { region: "japan", name: "Nhật Bản", eps: false }
 * parseMarket(kb, "Germany");     // { region: "other", name: "Đức", eps: false }
 */
export function parseMarket(kb: KnowledgeBase, text: string | undefined | null): ParsedMarket | undefined {
  const d = kb.markets.destination(text);
  return d && { region: depositRegion(kb, d.market), name: d.name, eps: d.eps };
}

// ---------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------

/**
 * The job groups the deposit facts distinguish (applies_to.job; "all" matches both): the
 * crew group of knowledge/vocabulary/deposit.yaml, or "other".
 */
export type DepositJob = Job;

/**
 * The job group: far-sea fishing or transport-ship crew, or any other job. Near-shore
 * fishing ("tàu cá gần bờ") is not crew in the deposit table.
 *
 * @example
 * parseJob(kb, "thuyền viên tàu cá xa bờ"); // { job: "farfishing_or_transport_crew", nearShore: false }
 * parseJob(kb, "tàu cá gần bờ");            // { job: "other", nearShore: true }
 */
export function parseJob(kb: KnowledgeBase, text: string | undefined | null): { job: DepositJob; nearShore: boolean } {
  const { crew } = depositVocabulary(kb);
  const f = ruleText(text ?? "");
  const nearShore = crew.not.test(f);
  return { job: !nearShore && crew.pattern.test(f) ? crew.job : OTHER_JOB, nearShore };
}

// ---------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------

/** Fact ids the tool reads (the figures themselves live in knowledge/facts/). */
export const DEPOSIT_FACTS = {
  capPrefix: "workerDepositCap.",
  epsDeadlineDays: "eps.deposit.paymentDeadlineDays",
  epsTermMonths: "eps.deposit.termMonths",
  epsLoanMax: "eps.depositLoan.max",
  overstayMin: "penalties.worker.overstay.min",
  overstayMax: "penalties.worker.overstay.max",
  companyFineMin: "penalties.company.depositOrientationContract.min",
  companyFineMax: "penalties.company.depositOrientationContract.max",
  liquidationDays: "company.contractLiquidationDays",
} as const;

/** Rule facts (knowledge/facts/rules.yaml) the answers cite for rules without a number. */
const RULES = {
  agreedInContract: "workerDeposit.agreedInContract",
  purpose: "workerDeposit.purpose",
  noOtherSecurity: "worker.noOtherSecurity",
  blockedAccount: "workerDeposit.blockedAccount",
  beforeContract: "workerDeposit.beforeContract",
  refund: "workerDeposit.refund",
  programmeRefund: "eps.deposit.refundOrForfeit",
} as const;

/**
 * Cards whose confirm_with says who can confirm an answer: the programme's own card; else
 * the first card of `byMarket` about the market (its card topics, knowledge/markets.yaml);
 * else the general rule's card or the no-deposit card, by the market's row of the table.
 */
const CONFIRM_CARDS = {
  programme: "prog-eps-deposit-amount",
  byMarket: ["money-deposit-taiwan", "money-deposit-korea", "money-deposit-other-countries", "money-deposit-no-deposit-markets"],
  generalRule: "money-deposit-other-countries",
  noDeposit: "money-deposit-no-deposit-markets",
} as const;

/** Office types (knowledge/offices/office-types.yaml) the answers send people to. */
const OFFICES = { complaints: "home_affairs_department", programmeBank: "social_policy_bank", programmeCentre: "eps_centre" } as const;

/** The route the input schema calls a state programme (EPS): the programme's id in knowledge/markets.yaml. */
const PROGRAMME_ROUTE = "eps";

/** What the tool does, for a model (the Skill and the LangChain tool share it). */
export const DEPOSIT_TOOL_DESCRIPTION =
  "How much deposit (ky quy) a Vietnamese worker going abroad may be asked for, by destination market, job and route (company, Korea EPS, direct contract); where the money must be kept; how it is refunded; and whether an amount the worker was asked for is above the legal cap. Answers in plain Vietnamese with citations.";

export const depositInputSchema = z.object({
  market: z
    .string()
    .describe("Destination as the worker typed it: Japan, Korea, Taiwan, EPS, Germany, Europe, Middle East, Malaysia… (Vietnamese with or without diacritics, or English)"),
  job: z.string().optional().describe("The job, e.g. 'far-sea fishing crew', 'thuyen vien tau van tai', 'nha may' (as typed, in Vietnamese or English)"),
  route: z
    .enum(["company", PROGRAMME_ROUTE, "direct"])
    .optional()
    .describe("company = through a licensed service company; eps = Korea EPS programme; direct = contract signed directly with the employer"),
  amountAsked: z
    .union([z.number().nonnegative(), z.string()])
    .optional()
    .describe("Deposit the worker is asked for: a number in VND or text as typed ('15tr', '15 trieu', '15.000.000', '$500')"),
  asOf: z.string().regex(ISO_DATE_RE, "YYYY-MM-DD").optional().describe("Date the rules apply to (default today)"),
});
export type DepositGuidanceInput = z.input<typeof depositInputSchema>;

export interface DepositCap {
  factId: string;
  value: number;
  unit: Fact["unit"];
  /** "cap": the most a company may agree; "fixed": the EPS deposit set by the programme. */
  kind: "cap" | "fixed";
  /** The fact's label: who and which market it covers. */
  label: string;
  /** The amount as plain words ("12 triệu đồng", "giá 1 lượt vé máy bay hạng phổ thông…"). */
  phrase: string;
}

export type DepositComparison =
  | { kind: "within"; amount: number; cap: number }
  | { kind: "at_cap"; amount: number; cap: number }
  | { kind: "above"; amount: number; cap: number; overBy: number }
  /** The cap is a ticket price: the worker must compare with the fare. */
  | { kind: "needs_ticket_price"; amount: number }
  /** A foreign currency: no exchange rate in the knowledge, ask for đồng. */
  | { kind: "needs_vnd"; value: number; currency: string }
  | { kind: "months_not_money"; months: number }
  | { kind: "unreadable"; text: string };

export type DepositMissing = "market" | "amount_in_vnd" | "ticket_price" | "input";

export interface DepositGuidanceResult {
  asOf: string;
  market: { region: MarketRegion; name: string; recognised: boolean };
  job: DepositJob;
  route: "company" | "eps" | "direct";
  /** The rule for this market and job. */
  cap: DepositCap;
  /** Korea without a route: the other route's amount (EPS vs company). */
  alternatives: Array<{ route: "company" | "eps"; cap: DepositCap }>;
  /** The market has no figure of its own: the general rule for other countries applies. */
  generalRule: boolean;
  /** No deposit may be taken at all (cap 0). */
  noDepositAllowed: boolean;
  /** Where the money must be kept, when there is a deposit. */
  keptIn?: "blocked_bank_account_in_worker_name" | "social_policy_bank";
  comparison?: DepositComparison;
  missing: DepositMissing[];
}

export type DepositGuidanceOutput =
  | { status: "ok"; result: DepositGuidanceResult; answer: ToolAnswer }
  | { status: "need_info"; missing: DepositMissing[]; answer: ToolAnswer };

function capPhrase(t: DepositTexts, f: Fact): string {
  if (f.unit === "economy_air_tickets") return fill(t.caps.tickets, { tickets: viNumber(f.value) });
  if (f.unit === "VND") return f.value === 0 ? fill(t.caps.zero, { amount: formatVnd(f.value) }) : formatVnd(f.value);
  return fill(t.caps.other_unit, { value: viNumber(f.value), unit: f.unit });
}

function toCap(t: DepositTexts, f: Fact, kind: DepositCap["kind"]): DepositCap {
  return { factId: f.id, value: f.value, unit: f.unit, kind, label: f.label, phrase: capPhrase(t, f) };
}

/** Every worker-deposit cap fact in force on `date`. */
function depositCapFacts(kb: KnowledgeBase, date: string): Fact[] {
  return kb.facts.filter((f) => f.id.startsWith(DEPOSIT_FACTS.capPrefix) && inForce(f, date));
}

/** A programme's own deposit for a market (EPS for Korea): the cap for the programme's route that is the programme's. */
function programmeDeposit(kb: KnowledgeBase, market: Market, programme: string, job: Job, date: string): Fact | undefined {
  const f = selectDepositCap(kb, { market, job, route: programme }, date);
  return f?.applies_to?.route === programme ? f : undefined;
}

/** How answers write a programme ("Chương trình EPS"), from its id in knowledge/markets.yaml. */
function programmeName(kb: KnowledgeBase, id: string): string {
  return kb.markets.programmeOf(kb.markets.programmeMarket(id) ?? "")?.name ?? id;
}

function factIfInForce(kb: KnowledgeBase, id: string, date: string): Fact | undefined {
  const f = factById(kb, id);
  return inForce(f, date) ? f : undefined;
}

function compare(amount: ParsedAmount | undefined, raw: unknown, cap: DepositCap): DepositComparison {
  if (amount === undefined) return { kind: "unreadable", text: String(raw) };
  if (isMonths(amount)) return { kind: "months_not_money", months: amount.months };
  if (amount.currency !== "VND") return { kind: "needs_vnd", value: amount.value, currency: amount.currency };
  const value = Math.round(amount.value);
  if (cap.unit === "economy_air_tickets") return { kind: "needs_ticket_price", amount: value };
  if (value > cap.value) return { kind: "above", amount: value, cap: cap.value, overBy: value - cap.value };
  if (value === cap.value) return { kind: "at_cap", amount: value, cap: cap.value };
  return { kind: "within", amount: value, cap: cap.value };
}

/**
 * The lines in one reply with their citation lines (`textRoom`): composed once, then again
 * in the room the kept citations leave (fewer lines keep fewer citations, so it fits).
 */
function fitAnswer(kb: KnowledgeBase, lines: AnswerLine[], hedge: string): ToolAnswer {
  const first = composeAnswer(lines, hedge, MAX_REPLY_CHARS);
  const room = textRoom(toCitations(kb, first.citations));
  return first.text.length <= room ? first : composeAnswer(lines, hedge, room);
}

function needInfo(kb: KnowledgeBase, missing: DepositMissing[], question: string): DepositGuidanceOutput {
  const lines: AnswerLine[] = [
    { text: question, priority: 1, cites: [] },
    { text: depositTexts(kb).need_info.why, priority: 1, cites: [citeRule(kb, RULES.agreedInContract)] },
  ];
  return { status: "need_info", missing, answer: fitAnswer(kb, lines, "") };
}

/** Plain-words reading of the zod issues, in Vietnamese. */
function inputProblem(t: DepositTexts, error: z.ZodError): string {
  const fields = new Set(error.issues.map((i) => String(i.path[0] ?? "")));
  const parts = INPUT_FIELDS.filter((f) => fields.has(f)).map((f) => t.need_info.fields[f]);
  return fill(t.need_info.input, { parts: parts.length > 0 ? parts.join(t.need_info.separator) : t.need_info.default });
}

/** How much deposit, kept where, returned how. Pure, synchronous; never throws on bad input. */
export function depositGuidance(kb: KnowledgeBase, rawInput: DepositGuidanceInput): DepositGuidanceOutput {
  const t = depositTexts(kb);
  const parsed = depositInputSchema.safeParse(rawInput ?? {});
  if (!parsed.success) return needInfo(kb, ["input"], inputProblem(t, parsed.error));
  const input = parsed.data;
  const date = input.asOf ?? isoToday();
  if (!input.market.trim()) return needInfo(kb, ["market"], t.need_info.market);

  const destination = kb.markets.destination(input.market);
  const market: Market = destination?.market ?? OTHER_MARKET;
  const region: MarketRegion = destination ? depositRegion(kb, destination.market) : OTHER_MARKET;
  const { job, nearShore } = parseJob(kb, `${input.job ?? ""} ${input.market}`);
  // The programme asked for (by route, or named with its market), and the market's own.
  const programme = kb.markets.programmeOf(market);
  const wanted = input.route === PROGRAMME_ROUTE ? PROGRAMME_ROUTE : destination?.eps ? programme?.id : undefined;
  const programmeCap = programme && programmeDeposit(kb, market, programme.id, job, date);
  const isProgramme = wanted !== undefined && wanted === programme?.id && programmeCap !== undefined;
  const route: DepositGuidanceResult["route"] = isProgramme ? PROGRAMME_ROUTE : input.route === "direct" ? "direct" : "company";

  // The table is for the company route; a direct contract is compared with it too.
  const capFact = isProgramme ? programmeCap : selectDepositCap(kb, { market, job, route: "company" }, date);
  if (!capFact) return needInfo(kb, ["input"], fill(t.need_info.no_rule_on_date, { date: formatDate(date) }));
  const cap = toCap(t, capFact, isProgramme ? "fixed" : "cap");
  const alternatives: DepositGuidanceResult["alternatives"] = [];
  if (input.route === undefined && !isProgramme && programmeCap) alternatives.push({ route: PROGRAMME_ROUTE, cap: toCap(t, programmeCap, "fixed") });

  const generalRule = region === OTHER_MARKET;
  const noDepositAllowed = !isProgramme && cap.unit === "VND" && cap.value === 0;
  const missing: DepositMissing[] = [];
  const amount = input.amountAsked === undefined ? undefined : parseAmount(input.amountAsked);
  const comparison = input.amountAsked === undefined ? undefined : compare(amount, input.amountAsked, cap);
  if (comparison?.kind === "needs_vnd" || comparison?.kind === "months_not_money" || comparison?.kind === "unreadable") missing.push("amount_in_vnd");
  if (comparison?.kind === "needs_ticket_price") missing.push("ticket_price");

  const result: DepositGuidanceResult = {
    asOf: date,
    market: { region, name: destination?.name ?? kb.markets.groupName(OTHER_MARKET), recognised: destination !== undefined },
    job,
    route,
    cap,
    alternatives,
    generalRule,
    noDepositAllowed,
    keptIn: isProgramme ? "social_policy_bank" : noDepositAllowed ? undefined : "blocked_bank_account_in_worker_name",
    comparison,
    missing,
  };

  const lines = isProgramme ? programmeLines(kb, t, date, market, cap, comparison) : companyLines(kb, t, date, input, result, nearShore);
  if (wanted !== undefined && !isProgramme) {
    // The programme goes to another market: say so, with its own deposit as the citation.
    const goesTo = kb.markets.programmeMarket(wanted);
    const own = goesTo === undefined ? undefined : programmeDeposit(kb, goesTo, wanted, job, date);
    lines.splice(1, 0, { text: fill(t.programme_elsewhere, { programme: programmeName(kb, wanted), market: kb.markets.nameOf(goesTo ?? "") }), priority: 2, cites: own ? [citeFact(own)] : [] });
  }
  const who = confirmWith(kb, confirmCard(kb, market, region, isProgramme, destination !== undefined)) ?? officeType(kb, OFFICES.complaints).name;
  const hedge = fill(isProgramme ? t.hedges.programme : t.hedges.table, { who });
  return { status: "ok", result, answer: fitAnswer(kb, lines, hedge) };
}

/** The card whose confirm_with says who can confirm the answer (see CONFIRM_CARDS). */
function confirmCard(kb: KnowledgeBase, market: Market, region: MarketRegion, isProgramme: boolean, recognised: boolean): string {
  if (isProgramme) return CONFIRM_CARDS.programme;
  const topics = new Set<string>(recognised ? kb.markets.topicsOf(market) : []);
  const about = CONFIRM_CARDS.byMarket.find((id) => kb.cards.find((c) => c.meta.id === id)?.meta.topics.some((topic) => topics.has(topic)));
  return about ?? (region === OTHER_MARKET ? CONFIRM_CARDS.generalRule : CONFIRM_CARDS.noDeposit);
}

function companyLines(
  kb: KnowledgeBase,
  t: DepositTexts,
  date: string,
  input: z.output<typeof depositInputSchema>,
  r: DepositGuidanceResult,
  nearShore: boolean,
): AnswerLine[] {
  const capFact = factById(kb, r.cap.factId);
  const lines: AnswerLine[] = [];
  const home = officeType(kb, OFFICES.complaints);
  const crewJob = depositVocabulary(kb).crew.job;

  if (!r.market.recognised) {
    const typed = safeEcho(input.market);
    lines.push({ text: typed ? fill(t.company.unrecognised_named, { typed }) : t.company.unrecognised, priority: 1, cites: [] });
    lines.push(...generalTable(kb, t, date, r.job));
  } else if (r.generalRule) {
    lines.push({ text: fill(t.company.general_rule, { market: r.market.name }), priority: 1, cites: [citeFact(capFact)] });
  } else if (kb.markets.isGroup(r.market.region) && r.market.name !== kb.markets.groupName(r.market.region)) {
    lines.push({ text: fill(t.company.in_group, { market: r.market.name, group: kb.markets.groupName(r.market.region) }), priority: 2, cites: [citeFact(capFact)] });
  }
  if (r.market.recognised || r.job === crewJob) {
    lines.push({ text: fill(t.company.cap, { label: capFact.label, cap: r.cap.phrase }), priority: 1, cites: [citeFact(capFact)] });
  }
  if (nearShore) {
    lines.push({ text: t.company.near_shore, priority: 2, cites: [citeFact(capFact)] });
  }
  for (const alt of r.alternatives) {
    const f = factById(kb, alt.cap.factId);
    const bank = officeType(kb, OFFICES.programmeBank);
    lines.push({ text: fill(t.company.programme_alternative, { programme: programmeName(kb, alt.route), cap: alt.cap.phrase, bank: bank.name }), priority: 1, cites: [citeFact(f)] });
  }
  if (r.route === "direct") {
    lines.push({ text: fill(t.company.direct, { office: home.name }), priority: 1, cites: [citeRule(kb, RULES.purpose), home.citation] });
  }

  // The amount asked.
  const c = r.comparison;
  if (c) lines.push(...comparisonLines(kb, t, date, c, r, home.name));

  if (r.noDepositAllowed) {
    lines.push({ text: t.company.no_deposit, priority: 1, cites: [citeRule(kb, RULES.noOtherSecurity)] });
    lines.push({ text: fill(t.company.no_deposit_report, { office: home.name }), priority: 2, cites: [home.citation] });
    return lines;
  }

  lines.push({ text: t.company.blocked_account, priority: 1, cites: [citeRule(kb, RULES.blockedAccount)] });
  lines.push({ text: t.company.before_contract, priority: 3, cites: [citeRule(kb, RULES.beforeContract)] });
  const liquidation = factIfInForce(kb, DEPOSIT_FACTS.liquidationDays, date);
  lines.push({ text: t.company.refund, priority: 2, cites: [citeRule(kb, RULES.refund)] });
  if (liquidation) {
    lines.push({ text: fill(t.company.liquidation, { days: viNumber(liquidation.value) }), priority: 3, cites: [citeFact(liquidation)] });
  }
  return lines;
}

function comparisonLines(kb: KnowledgeBase, t: DepositTexts, date: string, c: DepositComparison, r: DepositGuidanceResult, homeName: string): AnswerLine[] {
  const capCites = [citeFact(factById(kb, r.cap.factId))];
  const out: AnswerLine[] = [];
  switch (c.kind) {
    case "above": {
      const alt = r.alternatives[0];
      const viaCompany = alt && c.amount <= alt.cap.value;
      const sums = { amount: formatVnd(c.amount), cap: formatVnd(c.cap), over: formatVnd(c.overBy) };
      const text = r.noDepositAllowed
        ? fill(t.compare.above_no_deposit, { amount: sums.amount, market: r.market.name })
        : fill(viaCompany ? t.compare.above_via_company : t.compare.above, sums);
      out.push({ text, priority: 1, cites: viaCompany ? [...capCites, citeFact(factById(kb, alt.cap.factId))] : capCites });
      const min = factIfInForce(kb, DEPOSIT_FACTS.companyFineMin, date);
      const max = factIfInForce(kb, DEPOSIT_FACTS.companyFineMax, date);
      if (min && max) {
        out.push({ text: fill(t.compare.company_fine, { min: formatVnd(min.value), max: formatVnd(max.value), office: homeName }), priority: 2, cites: [citeFact(min), citeFact(max)] });
      }
      break;
    }
    case "at_cap":
      out.push({ text: fill(t.compare.at_cap, { amount: formatVnd(c.amount) }), priority: 1, cites: capCites });
      break;
    case "within":
      out.push({ text: fill(t.compare.within, { amount: formatVnd(c.amount), cap: formatVnd(c.cap) }), priority: 1, cites: capCites });
      break;
    case "needs_ticket_price":
      out.push({ text: fill(t.compare.needs_ticket_price, { amount: formatVnd(c.amount) }), priority: 1, cites: capCites });
      break;
    case "needs_vnd":
      out.push({ text: fill(t.compare.needs_vnd, { value: viNumber(c.value), currency: c.currency }), priority: 1, cites: capCites });
      break;
    case "months_not_money":
      out.push({ text: t.compare.months_not_money, priority: 1, cites: capCites });
      break;
    case "unreadable":
      out.push({ text: t.compare.unreadable, priority: 1, cites: capCites });
      break;
  }
  return out;
}

/** The whole table in a few words, for a destination we did not recognise. */
function generalTable(kb: KnowledgeBase, t: DepositTexts, date: string, job: DepositJob): AnswerLine[] {
  const crewJob = depositVocabulary(kb).crew.job;
  if (job === crewJob) return [];
  const all = depositCapFacts(kb, date);
  const facts = all.filter((f) => f.applies_to?.job !== crewJob);
  const zero = facts.filter((f) => f.unit === "VND" && f.value === 0);
  const zeroNames = zero.map((f) => kb.markets.groupName(f.applies_to?.market ?? OTHER_MARKET));
  const out: AnswerLine[] = [];
  if (zero.length > 0) {
    out.push({ text: fill(t.table.no_deposit, { amount: formatVnd(zero[0]!.value), markets: zeroNames.join(t.table.separator) }), priority: 1, cites: zero.map(citeFact) });
  }
  for (const f of facts.filter((x) => !zero.includes(x))) {
    const where = kb.markets.groupName(f.applies_to?.market ?? OTHER_MARKET);
    const phrase = capPhrase(t, f);
    const capText = f.unit === "VND" ? fill(t.table.up_to, { cap: phrase }) : phrase;
    const row = f.applies_to?.route === "company" ? t.table.row_company : t.table.row;
    out.push({ text: fill(row, { where, cap: capText }), priority: f.applies_to?.market === OTHER_MARKET ? 1 : 2, cites: [citeFact(f)] });
  }
  const crew = facts.length > 0 ? all.find((f) => f.applies_to?.market === OTHER_MARKET && f.applies_to?.job === crewJob) : undefined;
  if (crew) out.push({ text: t.table.crew, priority: 3, cites: [citeFact(crew)] });
  return out;
}

function programmeLines(kb: KnowledgeBase, t: DepositTexts, date: string, market: Market, cap: DepositCap, c: DepositComparison | undefined): AnswerLine[] {
  const amount = factById(kb, cap.factId);
  const deadline = factIfInForce(kb, DEPOSIT_FACTS.epsDeadlineDays, date);
  const term = factIfInForce(kb, DEPOSIT_FACTS.epsTermMonths, date);
  const loan = factIfInForce(kb, DEPOSIT_FACTS.epsLoanMax, date);
  const overMin = factIfInForce(kb, DEPOSIT_FACTS.overstayMin, date);
  const overMax = factIfInForce(kb, DEPOSIT_FACTS.overstayMax, date);
  const bank = officeType(kb, OFFICES.programmeBank).name;
  const centre = officeType(kb, OFFICES.programmeCentre).name;
  const programme = kb.markets.programmeOf(market)?.name ?? "";
  const lines: AnswerLine[] = [];

  lines.push({ text: fill(t.programme.amount, { market: kb.markets.nameOf(market), programme, cap: cap.phrase }), priority: 1, cites: [citeFact(amount)] });
  const pay = deadline ? fill(t.programme.pay_with_deadline, { bank, days: viNumber(deadline.value), centre }) : fill(t.programme.pay, { bank });
  lines.push({ text: pay, priority: 1, cites: [citeFact(amount), ...(deadline ? [citeFact(deadline)] : [])] });
  if (term) lines.push({ text: fill(t.programme.term, { term: formatMonths(term.value) }), priority: 3, cites: [citeFact(term)] });

  if (c) {
    const cites = [citeFact(amount)];
    const p = t.programme;
    if (c.kind === "above") lines.push({ text: fill(p.above, { amount: formatVnd(c.amount), cap: formatVnd(c.cap), over: formatVnd(c.overBy), centre }), priority: 1, cites });
    else if (c.kind === "at_cap") lines.push({ text: fill(p.at_cap, { amount: formatVnd(c.amount) }), priority: 1, cites });
    else if (c.kind === "within") lines.push({ text: fill(p.within, { amount: formatVnd(c.amount), cap: formatVnd(c.cap), centre }), priority: 1, cites });
    else if (c.kind === "needs_vnd") lines.push({ text: fill(p.needs_vnd, { value: viNumber(c.value), currency: c.currency }), priority: 1, cites });
    else lines.push({ text: p.unreadable, priority: 1, cites });
  }

  lines.push({ text: t.programme.refund, priority: 1, cites: [citeFact(amount), citeRule(kb, RULES.programmeRefund)] });
  if (overMin && overMax) {
    lines.push({ text: fill(t.programme.overstay_fine, { min: formatVnd(overMin.value), max: formatVnd(overMax.value) }), priority: 2, cites: [citeFact(overMin), citeFact(overMax)] });
  }
  if (loan) {
    lines.push({ text: fill(t.programme.loan, { max: formatVnd(loan.value) }), priority: 2, cites: [citeFact(loan)] });
  }
  return lines;
}


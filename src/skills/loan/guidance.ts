/**
 * `loanGuidance`: borrowing from the Social Policy Bank (Ngân hàng Chính sách xã hội) to
 * go to work abroad — who, how much, collateral, interest, term, where to apply — and the
 * EPS deposit loan. Decided by code from `knowledge/facts/loans.yaml` and `eps.yaml`.
 *
 * Rules in force on `asOf` come first (from 01/01/2026: Nghị định 338/2025/NĐ-CP). The
 * rules they replaced are found through the facts' `superseded_by` links and are told
 * only as history (`history: true`) or when `asOf` falls in their time. No legal figure is
 * written in this file: every number is read from a fact and cited. The sentences are
 * templates in `prompts/skills/loan.yaml` (texts.ts), the words it reads
 * `knowledge/vocabulary/loan.yaml` (vocabulary.ts); the destination and the EPS
 * programme come from `knowledge/markets.yaml` (kb.markets).
 *
 * The answer fits one reply with its citation lines: the first line, then the lines that
 * answer what was asked (an amount, a group, EPS, history), then the others by priority.
 *
 * @example
 * loanGuidance(kb, { amountWanted: "250tr", asOf: "2026-11-22" }).result.collateral;
 * // { threshold: 200000000, inclusive: false, amountWanted: 250000000, required: true, … }
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import type { Destination } from "../../knowledge/markets.ts";
import { PRIORITY_GROUPS, parsePriorityGroup, type PriorityGroup } from "../../knowledge/priority-groups.ts";
import { isMoney, isMonths, parseAmount, parseVndAmount } from "../../text/amount.ts";
import { ruleText } from "../../text/normalize.ts";
import { citeFact, citeRule, confirmWith, factById, inForce, officeType, toCitations, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { composeAnswer, type AnswerLine, type ToolAnswer } from "../answer.ts";
import { fill, formatDate, formatMonths, formatVnd, isoToday, ISO_DATE_RE, lowerFirst, textRoom, viNumber } from "../../text/wording.ts";
import { loanTexts, type LoanTexts } from "./texts.ts";
import { loanVocabulary } from "./vocabulary.ts";

export { parseVndAmount };

/** What the tool does, for a model (the Skill and the LangChain tool share it). */
export const LOAN_TOOL_DESCRIPTION =
  "Borrowing from the Vietnam Bank for Social Policies to go to work abroad: who can borrow, maximum amount, collateral threshold (and whether a given amount needs collateral), interest rule, term, where to apply, the EPS (Korea) deposit loan, and — with history — the old rule it replaced. Answers in plain Vietnamese with citations.";

/** Fact ids of the rules in force (the figures live in knowledge/facts/). */
export const LOAN_FACTS = {
  /** The loan facts' family: the documents they cite are the loan rules' documents. */
  family: "loan.",
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

/** Rule facts (knowledge/facts/rules.yaml, `unit: rule`) cited by the lines without a figure. */
const RULES = {
  whoOld: "loan.whoCanBorrow.old",
  termCurrent: "loan.term.current",
  termOld: "loan.term.old",
  whereOld: "loan.whereToApply.old",
  basisCurrent: "loan.basisIsContract.current",
  collateralCurrent: "loan.collateralRule.current",
  amended2019: "loan.maxShare.amended2019",
  epsNoCollateral: "eps.depositLoan.noCollateral",
} as const;

/** Office types (knowledge/offices/office-types.yaml) the answers name. */
const OFFICES = { bank: "social_policy_bank", commune: "commune_committee", epsCentre: "eps_centre" } as const;

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

export const loanInputSchema = z.object({
  priorityGroup: z
    .enum(PRIORITY_GROUPS)
    .optional()
    .describe("Borrower group: poor, near_poor, ethnic_minority, land_revoked, relative_of_merit, demobilised_soldier; other/none for an ordinary borrower"),
  amountWanted: z
    .union([z.number().nonnegative(), z.string()])
    .optional()
    .describe("Amount the worker wants to borrow: VND as a number, or text as typed ('160tr', '160 trieu')"),
  market: z.string().optional().describe("Destination market as typed (e.g. 'Nhat', 'Korea', 'EPS')"),
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

/**
 * Whether a collateral threshold counts itself: its label says "from this amount up" (≥,
 * knowledge/vocabulary/loan.yaml) rather than "above this amount" (>).
 */
function collateralInclusive(kb: KnowledgeBase, f: Fact): boolean {
  return loanVocabulary(kb).inclusive_threshold.test(ruleText(f.label));
}

export function collateralRequired(kb: KnowledgeBase, f: Fact, amount: number): boolean {
  return collateralInclusive(kb, f) ? amount >= f.value : amount > f.value;
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

/** The market of the EPS deposit loan (its fact's applies_to, else its programme's market) and how answers name it. */
function epsPlace(kb: KnowledgeBase, epsLoan: Fact): { market?: string; names: { market: string; programme: string } } {
  const route = epsLoan.applies_to?.route;
  const market = epsLoan.applies_to?.market ?? (route ? kb.markets.programmeMarket(route) : undefined);
  // The route is a programme's id (eps); without one, the market's own programme.
  const programmeMarket = route ? kb.markets.programmeMarket(route) : market;
  const programme = programmeMarket ? kb.markets.programmeOf(programmeMarket) : undefined;
  return { market, names: { market: market ? kb.markets.nameOf(market) : "", programme: programme?.name ?? route ?? "" } };
}

/** Whether the EPS deposit loan's market is the one named (its fact selector applies there). */
function isEpsMarket(kb: KnowledgeBase, epsMarket: string | undefined, named: Destination | undefined): boolean {
  return named !== undefined && epsMarket !== undefined && kb.markets.factMarkets(named.market).includes(epsMarket);
}

function needInfo(kb: KnowledgeBase, t: LoanTexts, missing: string[], question: string): LoanGuidanceOutput {
  const bank = officeType(kb, OFFICES.bank);
  const lines: AnswerLine[] = [
    { text: question, priority: 1, cites: [] },
    { text: fill(t.need_info.where, { bank: bank.name }), priority: 1, cites: [bank.citation] },
  ];
  const who = confirmWith(kb, CARDS.where) ?? fill(t.bank_where, { bank: bank.name });
  return { status: "need_info", missing, answer: fitAnswer(kb, lines, fill(t.need_info.hedge, { who })) };
}

/** Who borrows, how much, with what collateral and interest, where. Pure; never throws on bad input. */
export function loanGuidance(kb: KnowledgeBase, rawInput: LoanGuidanceInput = {}): LoanGuidanceOutput {
  const t = loanTexts(kb);
  // Accept a group typed in words ("hộ cận nghèo") as well as the enum value.
  const pre = { ...(rawInput ?? {}) } as Record<string, unknown>;
  if (typeof pre.priorityGroup === "string" && !(PRIORITY_GROUPS as readonly string[]).includes(pre.priorityGroup)) {
    const g = parsePriorityGroup(kb, pre.priorityGroup);
    if (g) pre.priorityGroup = g;
    else delete pre.priorityGroup;
  }
  const epsLoanFact = factById(kb, LOAN_FACTS.epsLoanMax);
  const epsAt = epsPlace(kb, epsLoanFact);
  const parsed = loanInputSchema.safeParse(pre);
  if (!parsed.success) {
    const fields = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    const ask = t.need_info.asks;
    const asks: string[] = [];
    if (fields.has("amountWanted")) asks.push(ask.amount);
    if (fields.has("asOf")) asks.push(ask.date);
    if (fields.has("priorityGroup")) asks.push(ask.group);
    if (fields.has("market")) asks.push(ask.market);
    if (fields.has("eps") || fields.has("history")) asks.push(fill(ask.eps, epsAt.names));
    return needInfo(kb, t, [...fields], fill(t.need_info.question, { asks: asks.join("; ") || ask.anything }));
  }
  const input = parsed.data;
  const date = input.asOf ?? isoToday();
  const rules = loanRulesOn(kb, date);
  if (!rules) {
    const first = oldRules(kb)?.validFrom ?? factById(kb, LOAN_FACTS.collateral).valid_from;
    return needInfo(kb, t, ["asOf"], fill(t.need_info.no_rules, { date: formatDate(date), first: formatDate(first) }));
  }

  const current = factById(kb, LOAN_FACTS.collateral);
  const market = kb.markets.destination(input.market);
  const eps = (input.eps === true || market?.eps === true) && inForce(epsLoanFact, date);
  const toEpsMarket = isEpsMarket(kb, epsAt.market, market);

  // The amount.
  const missing: LoanGuidanceResult["missing"] = [];
  let amountWanted: number | undefined;
  const lines: LoanLine[] = [];
  if (input.amountWanted !== undefined) {
    const a = parseAmount(input.amountWanted);
    if (isMoney(a) && a.currency === "VND") amountWanted = Math.round(a.value);
    else {
      missing.push("amount_in_vnd");
      const why = isMoney(a) ? fill(t.amount.foreign, { value: viNumber(a.value), currency: a.currency }) : isMonths(a) ? t.amount.months : t.amount.unreadable;
      lines.push({ text: why, priority: 1, cites: [citeFact(rules.collateral)], asked: true });
    }
  }

  const bank = officeType(kb, OFFICES.bank);
  const group = input.priorityGroup;
  const status = groupStatus(group, rules);
  const isCurrent = rules.regime === "current";
  const inclusive = collateralInclusive(kb, rules.collateral);
  const required = amountWanted !== undefined && collateralRequired(kb, rules.collateral, amountWanted);
  const oldGroups = t.who.old_groups;

  const result: LoanGuidanceResult = {
    asOf: date,
    regime: rules.regime,
    doc: rules.doc,
    whoCanBorrow: isCurrent ? t.who.current : fill(t.who.old, { groups: oldGroups }),
    maxLoan: {
      percentOfCosts: rules.maxShare.value,
      factId: rules.maxShare.id,
      basis: isCurrent ? t.max_loan.basis_current : t.max_loan.basis_old,
    },
    collateral: {
      threshold: rules.collateral.value,
      inclusive,
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
    whereToApply: { officeTypeId: OFFICES.bank, office: bank.name, where: t.where },
    papers: t.papers.map((p) => fill(p, { office: officeName(kb, OFFICES.commune) })),
    missing,
  };

  // --- Lines, most important first within each block ---
  const maxCites = [citeFact(rules.maxShare)];
  const intro = isCurrent
    ? fill(t.intro.current, { from: formatDate(rules.validFrom), doc: rules.doc })
    : fill(t.intro.old, { date: formatDate(date), doc: withAmendments(t, rules.doc, amendingDocs(kb, rules)) });
  lines.unshift({ text: intro, priority: 2, cites: maxCites });

  lines.push({
    text: isCurrent ? t.who.current_line : fill(t.who.old_line, { groups: oldGroups }),
    priority: 2,
    cites: isCurrent ? maxCites : [citeRule(kb, RULES.whoOld)],
  });
  lines.push({
    text: fill(isCurrent ? t.max_loan.current : t.max_loan.old, { percent: viNumber(rules.maxShare.value) }),
    priority: 1,
    cites: maxCites,
  });
  const thr = formatVnd(rules.collateral.value);
  const collCites = [citeFact(rules.collateral)];
  lines.push({ text: fill(inclusive ? t.collateral.inclusive : t.collateral.exclusive, { threshold: thr }), priority: 1, cites: collCites });
  if (amountWanted !== undefined) {
    const atThreshold = amountWanted === rules.collateral.value;
    const compare = required
      ? atThreshold
        ? fill(t.amount.at_threshold_required, { threshold: thr })
        : fill(t.amount.above, { threshold: thr, over: formatVnd(amountWanted - rules.collateral.value) })
      : fill(atThreshold ? t.amount.at_threshold : t.amount.below, { threshold: thr });
    const text = fill(required ? t.amount.required : t.amount.not_required, { amount: formatVnd(amountWanted), compare });
    lines.push({ text: `${text} ${t.amount.within_contract}`, priority: 1, cites: [...collCites, ...maxCites], asked: true });
  }

  // Interest.
  // A group given: its rate is what was asked.
  lines.push({ text: interestText(t, rules, group, status), priority: 1, cites: interestCites(rules), ...(group ? { asked: true as const } : {}) });
  lines.push({ text: fill(t.interest.overdue, { percent: viNumber(rules.overdue.value) }), priority: 3, cites: [citeFact(rules.overdue)] });

  // Term.
  lines.push({
    text: isCurrent ? t.term.current : t.term.old,
    priority: 2,
    cites: isCurrent ? [citeRule(kb, RULES.termCurrent)] : [citeRule(kb, RULES.termOld)],
  });

  // Where and papers.
  const whereCites = isCurrent ? [bank.citation] : [citeRule(kb, RULES.whereOld)];
  lines.push({ text: fill(t.apply_line, { bank: bank.name }), priority: 1, cites: whereCites });
  lines.push({
    text: fill(t.papers_line, { papers: result.papers.map(lowerFirst).join("; ") }),
    priority: 2,
    cites: isCurrent ? [citeRule(kb, RULES.basisCurrent)] : [citeRule(kb, RULES.whereOld)],
  });
  const response = factById(kb, LOAN_FACTS.bankResponse);
  if (isCurrent && inForce(response, date)) {
    result.bankResponseWorkingDays = response.value;
    lines.push({ text: fill(t.bank_response, { days: viNumber(response.value) }), priority: 3, cites: [citeFact(response)] });
  }

  // EPS deposit loan.
  if (eps) {
    lines.push(...epsLoanLines(kb, t, date, epsLoanFact, epsAt.names, amountWanted, result));
  } else if (toEpsMarket && input.eps === undefined && inForce(epsLoanFact, date)) {
    // Named the EPS market: the loan for its deposit is what is particular to the question.
    lines.push({ text: fill(t.eps.mention, { ...epsAt.names, max: formatVnd(epsLoanFact.value) }), priority: 2, cites: [citeFact(epsLoanFact)], asked: true });
  }

  // History.
  if (isCurrent && input.history) {
    lines.push(...historyLines(kb, t, rules, amountWanted, result));
  } else if (!isCurrent) {
    lines.push({
      text: fill(t.history.replaced, { from: formatDate(current.valid_from), doc: current.source.doc }),
      priority: 1,
      cites: [citeFact(current), citeRule(kb, RULES.collateralCurrent)],
      // A rule that no longer applies: that it ended always stays.
      asked: true,
    });
  }

  const who = confirmWith(kb, CARDS.amount) ?? fill(t.bank_where, { bank: bank.name });
  const hedge = isCurrent ? fill(t.hedge.current, { doc: rules.doc, who }) : fill(t.hedge.old, { who });
  return { status: "ok", result, answer: fitAnswer(kb, lines, hedge) };
}

/** A line of the answer; `asked` when it answers what the input asked for (history, EPS, an amount). */
type LoanLine = AnswerLine & { asked?: true };

/**
 * The lines fitted into one reply together with the citation lines shown under it
 * (textRoom of the citations the kept lines need). The first line always stays; then
 * the lines that answer what was asked, then priority 1, 2, 3, each in order, are kept
 * while they fit. Kept lines stay in their order.
 */
function fitAnswer(kb: KnowledgeBase, lines: LoanLine[], hedge: string): ToolAnswer {
  const all = lines.filter((l) => l.text.trim() !== "");
  const room = (ls: AnswerLine[]) => textRoom(toCitations(kb, uniqueCitations(ls.flatMap((l) => l.cites))));
  const size = (ls: AnswerLine[]) => ls.reduce((n, l) => n + l.text.length + 1, 0) + hedge.length;
  const rank = (l: LoanLine) => (l.asked ? 0 : l.priority);
  const kept = new Set(all.slice(0, 1));
  for (const line of all.slice(1).sort((x, y) => rank(x) - rank(y))) {
    const trial = all.filter((l) => kept.has(l) || l === line);
    if (size(trial) <= room(trial)) kept.add(line);
  }
  const out = all.filter((l) => kept.has(l));
  return composeAnswer(out, hedge, room(out));
}

function officeName(kb: KnowledgeBase, id: string): string {
  return officeType(kb, id).name;
}

/**
 * Documents that amended the old decree and were replaced with it: replaced by the same
 * document (documents.yaml) and cited by loan facts (knowledge/facts).
 */
function amendingDocs(kb: KnowledgeBase, old: LoanRuleSet): string[] {
  const successor = kb.documents.get(old.doc)?.superseded_by;
  if (successor === undefined) return [];
  const cited = new Set(kb.facts.filter((f) => f.id.startsWith(LOAN_FACTS.family)).map((f) => f.source.doc));
  return [...kb.documents.values()].filter((d) => d.doc !== old.doc && d.superseded_by === successor && cited.has(d.doc)).map((d) => d.doc);
}

/** The old decree with the decrees that amended it. */
function withAmendments(t: LoanTexts, doc: string, amending: string[]): string {
  return amending.length ? fill(t.docs_amended, { doc, amending: amending.join(", ") }) : doc;
}

function interestText(t: LoanTexts, rules: LoanRuleSet, group: PriorityGroup | undefined, status: LoanGuidanceResult["interest"]["groupStatus"]): string {
  const ordinary = `${viNumber(rules.interest.value)}%`;
  const poor_rate = t.interest.poor_rate;
  if (!rules.interestPriority) return fill(t.interest.single, { ordinary, poor_rate });
  const values = { ordinary, poor_rate, priority: `${viNumber(rules.interestPriority.value)}%`, group: group ? t.groups[group] : "" };
  return fill(t.interest[status], values);
}

function interestCites(rules: LoanRuleSet): ToolCitation[] {
  return [citeFact(rules.interest), ...(rules.interestPriority ? [citeFact(rules.interestPriority)] : [])];
}

function epsLoanLines(
  kb: KnowledgeBase, t: LoanTexts, date: string, max: Fact, names: { market: string; programme: string }, amount: number | undefined, result: LoanGuidanceResult,
): LoanLine[] {
  const term = factById(kb, LOAN_FACTS.epsLoanTerm);
  const deposit = factById(kb, LOAN_FACTS.epsDeposit);
  const centre = officeName(kb, OFFICES.epsCentre);
  const bank = officeType(kb, OFFICES.bank);
  const termOk = inForce(term, date);
  const lines: LoanLine[] = [];
  const cites = [citeFact(max), citeRule(kb, RULES.epsNoCollateral)];
  const maxText = formatVnd(max.value);
  lines.push({
    text: termOk ? fill(t.eps.loan_with_term, { ...names, max: maxText, months: formatMonths(term.value) }) : fill(t.eps.loan, { ...names, max: maxText }),
    priority: 1,
    cites: [...cites, ...(termOk ? [citeFact(term)] : [])],
    asked: true,
  });
  lines.push({ text: fill(t.eps.conditions, { centre, bank: bank.name }), priority: 2, cites: [citeFact(max)] });
  if (inForce(deposit, date)) {
    lines.push({ text: fill(t.eps.deposit, { deposit: formatVnd(deposit.value) }), priority: 3, cites: [citeFact(deposit), citeFact(max)] });
  }
  const eps: NonNullable<LoanGuidanceResult["epsDepositLoan"]> = {
    max: max.value, collateralRequired: false, factId: max.id, ...(termOk ? { termMonths: term.value } : {}),
  };
  if (amount !== undefined) {
    eps.amountWanted = amount;
    eps.withinMax = amount <= max.value;
    if (!eps.withinMax) {
      eps.overBy = amount - max.value;
      lines.push({ text: fill(t.eps.over, { amount: formatVnd(amount), over: formatVnd(eps.overBy) }), priority: 1, cites: [citeFact(max)], asked: true });
    } else {
      lines.push({ text: fill(t.eps.within, { amount: formatVnd(amount) }), priority: 1, cites: [citeFact(max)], asked: true });
    }
  }
  result.epsDepositLoan = eps;
  return lines;
}

function historyLines(kb: KnowledgeBase, t: LoanTexts, current: LoanRuleSet, amount: number | undefined, result: LoanGuidanceResult): LoanLine[] {
  const old = oldRules(kb);
  if (!old) return [];
  const amending = amendingDocs(kb, old);
  const docs = [old.doc, ...amending];
  const endedOn = current.validFrom;
  const thr = formatVnd(old.collateral.value);
  const inclusive = collateralInclusive(kb, old.collateral);
  result.history = {
    docs,
    endedOn,
    replacedBy: current.doc,
    maxSharePercent: old.maxShare.value,
    collateralThreshold: old.collateral.value,
    collateralInclusive: inclusive,
    interestPercentOfPoorRate: old.interest.value,
    overduePercentOfRate: old.overdue.value,
    ...(amount !== undefined ? { collateralRequiredForAmount: collateralRequired(kb, old.collateral, amount) } : {}),
  };
  const ended = { docs: withAmendments(t, old.doc, amending), ended: formatDate(endedOn), doc: current.doc };
  const lines: LoanLine[] = [
    {
      text: old.validTo ? fill(t.history.ended_until, { ...ended, until: formatDate(old.validTo) }) : fill(t.history.ended, ended),
      priority: 1,
      cites: [citeFact(old.collateral), citeRule(kb, RULES.amended2019)],
      asked: true,
    },
    {
      text: fill(t.history.then, {
        max: viNumber(old.maxShare.value),
        threshold: fill(inclusive ? t.history.threshold_inclusive : t.history.threshold_exclusive, { threshold: thr }),
        interest: viNumber(old.interest.value),
      }),
      priority: 1,
      cites: [citeFact(old.maxShare), citeFact(old.collateral), citeFact(old.interest)],
      asked: true,
    },
  ];
  if (amount !== undefined) {
    const req = collateralRequired(kb, old.collateral, amount);
    lines.push({ text: fill(req ? t.history.amount_required : t.history.amount_not_required, { amount: formatVnd(amount) }), priority: 2, cites: [citeFact(old.collateral)] });
  }
  return lines;
}


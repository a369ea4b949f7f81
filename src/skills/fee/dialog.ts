/**
 * The fee check as a conversation: read what a message already says (market, job,
 * contract length, salary, each charge and its amount), answer at once when that is
 * enough, otherwise ask for the one missing thing, with buttons. The state is plain data
 * the engine keeps in the session store, so a conversation survives a restart.
 *
 * The words it reads are knowledge/vocabulary/fee.yaml (vocabulary.ts); its questions
 * are prompts/skills/fee.yaml (texts.ts), the market buttons knowledge/markets.yaml.
 *
 * @example
 * const state = startFeeDialog(kb, "cty doi 5 thang luong tien dich vu hd 3 nam di dai loan");
 * const step = nextFeeStep(kb, state);
 * step.kind; // "answer" — everything needed was in the message
 */
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { OTHER_JOB } from "../../knowledge/markets.ts";
import { isMoney, isMonths, parseAmount, type ParsedAmount } from "../../text/amount.ts";
import { checkFees, CURRENCIES, OTHER_MARKET, type Charge, type ChargeKind, type FeeCheckInput, type FeeCheckResult, type Job, type Market, type MissingInfo } from "./check.ts";
import { fold, nfcLower, ruleText } from "../../text/normalize.ts";
import { feeTexts } from "./texts.ts";
import { feeVocabulary } from "./vocabulary.ts";

type FeeMoney = { value: number; currency: (typeof CURRENCIES)[number] };

/**
 * A sum in a currency the fee check knows. Amounts can be read in more currencies (yuan,
 * "nhân dân tệ") than the caps are written for: those are not an answer, never a crash.
 */
function toFeeMoney(amount: ParsedAmount | undefined): FeeMoney | undefined {
  return isMoney(amount) && (CURRENCIES as readonly string[]).includes(amount.currency)
    ? { value: amount.value, currency: amount.currency as FeeMoney["currency"] }
    : undefined;
}

/** "purpose": what a sum named without its purpose is for ("cty đòi 150 triệu"). */
export type FeeSlot = "market" | "purpose" | MissingInfo;

export interface FeeDialogState {
  market?: Market;
  job?: Job;
  route?: "company" | "eps";
  contractMonths?: number;
  monthlySalary?: FeeMoney;
  airfarePrice?: FeeMoney;
  charges: Charge[];
  /** The slot the last question asked for. */
  asking?: FeeSlot;
  /** Slots the person could not answer ("không biết"): not asked again. */
  skipped: FeeSlot[];
}

export type FeeStep =
  | { kind: "ask"; slot: FeeSlot; question: string; buttons: string[]; state: FeeDialogState }
  | { kind: "answer"; result: FeeCheckResult };

/**
 * Splits a message into clauses so each amount goes with the charge named next to it:
 * at commas, dots, semicolons and line breaks, and at a joining word ("và", "còn") between
 * two others.
 */
function clauses(kb: KnowledgeBase, text: string): string[] {
  const joiners = feeVocabulary(kb).clause_words;
  // Typed with the word's own diacritics, or with none at all ("va" is "và", "công" is not "cộng").
  const joins = (word: string) => {
    const w = nfcLower(word);
    return joiners.some((j) => w === j || (w === fold(w) && w === fold(j)));
  };
  // Commas and dots inside numbers ("2.000", "2,5") are not clause breaks.
  return text.split(/(?<!\d)[,.](?!\d)|[;\n]+/).flatMap((piece) => {
    const words = piece.trim().split(/\s+/);
    const out: string[][] = [[]];
    words.forEach((word, i) => {
      if (i > 0 && i < words.length - 1 && joins(word)) out.push([]);
      else out[out.length - 1]!.push(word);
    });
    return out.map((ws) => ws.join(" ").trim()).filter(Boolean);
  });
}

/** "3 năm", "36 tháng", "hd 2 nam", "ba năm" → months; "5 tháng lương" is a charge, not a length. */
export function parseContractMonths(kb: KnowledgeBase, text: string): number | undefined {
  const words = feeVocabulary(kb);
  // Keep clause breaks: in "hd 3 năm, lương 30tr" the "năm" is not followed by "lương".
  const f = fold(text).replace(/(?<!\d)[,.;](?!\d)/g, " | ").replace(/[^\p{L}\p{N}|]+/gu, " ").replace(/\s+/g, " ");
  for (const m of f.matchAll(new RegExp(words.contract_length.source, "g"))) {
    const n = /\d/.test(m[1]!) ? Number(m[1]!.replace(",", ".")) : words.number_words[m[1]!];
    const unit = words.length_units[m[2]!];
    if (n === undefined || unit === undefined) continue;
    const months = n * unit;
    // A year such as "năm 2024" never reaches here (the number comes after "năm").
    if (months > 0 && months <= 240) return Math.round(months);
  }
  return undefined;
}

/** "lương 30tr/tháng", "luong tam 800 usd" → the salary; "5 tháng lương" is not one. */
export function parseSalary(kb: KnowledgeBase, text: string): FeeDialogState["monthlySalary"] {
  // Folding keeps each letter in place (NFC text), so the salary word's position in the
  // folded text is its position as typed: the amount is read with its "20.000" intact.
  const nfc = text.normalize("NFC");
  const f = fold(nfc);
  const at = f.search(feeVocabulary(kb).salary_word);
  if (at < 0) return undefined;
  const money = toFeeMoney(parseAmount((f.length === nfc.length ? nfc : f).slice(at)));
  return money && money.value > 0 ? money : undefined;
}

function toCharge(kb: KnowledgeBase, kind: ChargeKind, amount: ParsedAmount | undefined, clause: string): Charge {
  const words = feeVocabulary(kb);
  const f = ruleText(clause);
  const charge: Charge = { kind };
  const money = toFeeMoney(amount);
  if (isMonths(amount)) charge.months = amount.months;
  else if (money) charge.amount = money;
  if (words.before_contract.test(f)) charge.when = "before_contract";
  if (words.to_a_person.test(f)) charge.paidTo = "company_staff_personally";
  return charge;
}

/** Everything one message says about a fee check. */
export function readFeeMessage(kb: KnowledgeBase, text: string): Omit<FeeDialogState, "skipped" | "asking"> {
  const words = feeVocabulary(kb);
  const whole = ruleText(text);
  const charges: Charge[] = [];
  const salary = parseSalary(kb, text);
  for (const clause of clauses(kb, text)) {
    const f = ruleText(clause);
    // The salary clause ("lương tầm 30tr/tháng") holds no charge.
    let kind = words.charges.find((c) => c.pattern.test(f))?.kind;
    const isSalaryClause = !kind && words.salary_word.test(f);
    if (isSalaryClause) continue;
    const amount = parseAmount(clause);
    // "thu 2 tháng lương" names no charge, but months of salary is how service fees are priced.
    if (!kind && words.demand_verbs.test(f) && amount) kind = isMonths(amount) ? "service_fee" : "other";
    if (!kind) continue;
    charges.push(toCharge(kb, kind, amount, clause));
  }
  // "Chưa ký hợp đồng mà đã bắt nộp tiền" said once applies to every charge of the message.
  if (words.before_contract.test(whole)) for (const c of charges) c.when = "before_contract";
  // "Tiền môi giới… đòi 50 triệu tiền môi giới": one charge, with its amount.
  const sameCharge = (a: Charge, b: Charge) => a.kind === b.kind && a.when === b.when && a.paidTo === b.paidTo;
  const hasSum = (c: Charge) => c.amount !== undefined || c.months !== undefined;
  const kept = charges.filter((c, i) => hasSum(c) || !charges.some((o, j) => j !== i && sameCharge(o, c) && (hasSum(o) || j < i)));
  // A salary or a sum in a market's own currency says where ("20.000 Đài tệ").
  const currencies = [salary, ...kept.map((c) => c.amount)].flatMap((m) => (m ? [m.currency] : []));
  return {
    market: kb.markets.destination(text)?.market ?? kb.markets.byCurrency(currencies),
    job: kb.markets.job(text),
    route: kb.markets.route(text),
    contractMonths: parseContractMonths(kb, text),
    monthlySalary: salary,
    charges: kept,
  };
}

/**
 * Whether a charge read from a message can be checked: it has an amount, or it is paid
 * too early or to a person (wrong whatever the amount), or it is banned outright.
 */
export function isCheckable(c: Charge): boolean {
  return (
    c.amount !== undefined || c.months !== undefined || c.when === "before_contract" ||
    c.paidTo === "company_staff_personally" || c.kind === "brokerage" || c.kind === "selection_fee"
  );
}

/** A new dialog from the message that asked for a fee check. */
export function startFeeDialog(kb: KnowledgeBase, text: string): FeeDialogState {
  return { ...readFeeMessage(kb, text), skipped: [] };
}

/** Fills the asked slot (and anything else the reply says); undefined when the reply is not an answer. */
export function answerFeeSlot(kb: KnowledgeBase, state: FeeDialogState, text: string): FeeDialogState | undefined {
  const vocabulary = feeVocabulary(kb);
  const f = ruleText(text);
  if (!state.asking) return undefined;
  // A long message with a question in it is a new question, even if it names a country.
  const words = f.split(" ").length;
  if (words > 6 && (/\?/.test(text) || vocabulary.question_words.test(f))) return undefined;
  if (vocabulary.dont_know.test(f)) return { ...state, skipped: [...state.skipped, state.asking], asking: undefined };
  const next: FeeDialogState = { ...state, charges: state.charges.map((c) => ({ ...c })), asking: undefined };
  const amount = parseAmount(text);
  switch (state.asking) {
    case "market": {
      // A button's label, a place the markets know, or "another country".
      const button = kb.markets.feeButtons().find((b) => ruleText(b.label) === f)?.id;
      const market = button ?? kb.markets.destination(text)?.market ?? (vocabulary.other_market.test(f) ? OTHER_MARKET : undefined);
      if (!market) return undefined;
      next.market = market;
      next.route ??= kb.markets.route(text);
      break;
    }
    case "purpose": {
      // A button ("Tiền ký quỹ") or the purpose typed ("tiền cọc"): the unnamed sum gets its kind.
      const names = feeTexts(kb).charges;
      const kind = PURPOSE_KINDS.find((k) => ruleText(names[k]) === f) ?? vocabulary.charges.find((c) => c.pattern.test(f))?.kind;
      const target = next.charges.find((c) => c.kind === "other");
      if (!kind || !target) return undefined;
      target.kind = kind;
      break;
    }
    case "contract_months": {
      const months = parseContractMonths(kb, text) ?? (/^\d{1,2}$/.test(f) ? Number(f) * 12 : undefined);
      if (!months) return undefined;
      next.contractMonths = months;
      break;
    }
    case "salary": {
      next.monthlySalary = toFeeMoney(amount);
      if (!next.monthlySalary) return undefined;
      break;
    }
    case "amount": {
      const target = next.charges.find((c) => c.amount === undefined && c.months === undefined);
      if (!target || !amount) return undefined;
      if (isMonths(amount)) target.months = amount.months;
      else {
        target.amount = toFeeMoney(amount);
        if (!target.amount) return undefined;
      }
      break;
    }
    case "rate": {
      // Asked for the foreign sum in đồng: replace whichever side is not in đồng.
      if (!isMoney(amount) || amount.currency !== "VND") return undefined;
      const foreign = next.charges.find((c) => c.amount && c.amount.currency !== "VND");
      if (foreign) foreign.amount = { value: amount.value, currency: "VND" };
      else next.monthlySalary = { value: amount.value, currency: "VND" };
      break;
    }
    case "airfare_price": {
      next.airfarePrice = toFeeMoney(amount);
      if (!next.airfarePrice) return undefined;
      break;
    }
  }
  return next;
}

/** The question for a slot and its buttons; "don't know" is a choice except for the market. */
function question(kb: KnowledgeBase, slot: FeeSlot): { question: string; buttons: string[] } {
  const q = feeTexts(kb).questions;
  switch (slot) {
    case "market":
      return { question: q.market, buttons: kb.markets.feeButtons().map((b) => b.label) };
    case "purpose": {
      const names = feeTexts(kb).charges;
      return { question: q.purpose, buttons: [...PURPOSE_KINDS.map((k) => names[k]), q.dont_know] };
    }
    case "contract_months":
      return { question: q.contract_months.question, buttons: [...q.contract_months.buttons, q.dont_know] };
    default:
      return { question: q[slot], buttons: [q.dont_know] };
  }
}

/** What an unnamed sum may be, as the buttons offer it (most asked first). */
const PURPOSE_KINDS = ["service_fee", "deposit", "brokerage", "training", "package"] as const satisfies readonly ChargeKind[];

/** Whether a charge's verdict depends on the market (paying too early or to a person does not). */
function needsMarket(c: Charge): boolean {
  if (c.when === "before_contract") return false;
  if (c.kind === "deposit") return c.paidTo !== "company_staff_personally" && c.paidTo !== "individual";
  return c.kind === "service_fee" || c.kind === "package";
}

/** The next thing to ask, or the answer. */
export function nextFeeStep(kb: KnowledgeBase, state: FeeDialogState, asOf?: string): FeeStep {
  if (!state.charges.length) throw new Error("nextFeeStep: the dialog has no charge; start it only when readFeeMessage finds one");
  const ask = (slot: FeeSlot): FeeStep => ({ kind: "ask", slot, ...question(kb, slot), state: { ...state, asking: slot } });
  // A sum named without its purpose: the verdict depends on what it is for.
  if (state.charges.some((c) => c.kind === "other" && (c.amount || c.months)) && !state.skipped.includes("purpose")) return ask("purpose");
  if (!state.market && state.charges.some(needsMarket) && !state.skipped.includes("market")) return ask("market");
  const input: FeeCheckInput = {
    market: state.market ?? OTHER_MARKET,
    job: state.job ?? OTHER_JOB,
    route: state.route ?? "company",
    contractMonths: state.contractMonths,
    monthlySalary: state.monthlySalary,
    airfarePrice: state.airfarePrice,
    charges: state.charges,
    asOf,
  };
  const result = checkFees(kb, input);
  // Ask for what the verdicts are missing, one thing at a time, unless the person said they do not know.
  const wanted = result.charges.map((c) => c.missing).filter((m): m is MissingInfo => !!m && !state.skipped.includes(m));
  const order: MissingInfo[] = ["contract_months", "amount", "salary", "rate", "airfare_price"];
  const slot = order.find((m) => wanted.includes(m));
  if (slot) return ask(slot);
  return { kind: "answer", result };
}

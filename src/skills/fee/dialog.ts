/**
 * The fee check as a conversation: read what a message already says (market, job,
 * contract length, salary, each charge and its amount), answer at once when that is
 * enough, otherwise ask for the one missing thing, with buttons. The state is plain data
 * the engine keeps in the session store, so a conversation survives a restart.
 *
 * @example
 * const state = startFeeDialog("cty doi 5 thang luong tien dich vu hd 3 nam di dai loan");
 * const step = nextFeeStep(kb, state);
 * step.kind; // "answer" — everything needed was in the message
 */
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { isMoney, isMonths, parseAmount, type ParsedAmount } from "../../text/amount.ts";
import { checkFees, CURRENCIES, type Charge, type ChargeKind, type FeeCheckInput, type FeeCheckResult, type Job, type Market, type MissingInfo } from "./check.ts";
import { fold, ruleText } from "../../text/normalize.ts";

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

export type FeeSlot = "market" | MissingInfo;

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

/** Charge words, most specific first; patterns run on folded text. */
const CHARGE_WORDS: Array<[ChargeKind, RegExp]> = [
  ["brokerage", /\b(tien )?moi gioi\b|\bphi gioi thieu\b/],
  ["selection_fee", /\b(phi|tien) (tuyen chon|giu cho|giu suat|chuan bi nguon|dat cho|phong van)\b|\bgiu (cho|suat)\b/],
  ["package", /\btron goi\b/],
  ["deposit", /\b(ky quy|ky quyy|ky quiy|tien coc|dat coc|coc)\b/],
  ["service_fee", /\b(tien|phi) (dich vu|dv|xkld|xuat canh|di)\b|\bdich vu\b/],
  ["health_check", /\bkham (suc khoe|sk)\b/],
  ["visa_passport", /\b(visa|thi thuc|ho chieu)\b/],
  ["airfare", /\bve may bay\b/],
  ["training", /\b(hoc phi|tien hoc|dao tao|hoc tieng)\b/],
];

const BEFORE_CONTRACT = /\b(truoc khi ky|chua ky|chua co hop dong|chua co hd|chua duoc duyet|chua duyet|truoc khi co don|chua co don)\b/;
const TO_A_PERSON = /\b(nhan vien|tai khoan ca nhan|tk ca nhan|tien mat cho|dua tien mat|cam tien)\b/;
const DONT_KNOW = /^(khong biet|ko biet|k biet|chua biet|khong ro|ko ro|bo qua|khong nho|chiu)\b/;

/** Splits a message into clauses so each amount goes with the charge named next to it. */
function clauses(text: string): string[] {
  // Commas and dots inside numbers ("2.000", "2,5") are not clause breaks.
  return text.split(/(?<!\d)[,.](?!\d)|[;\n]+|\s+(?:và|va|còn|con|thêm|them|cộng|cong|\+)\s+/iu).map((c) => c?.trim() ?? "").filter(Boolean);
}

/** "3 năm", "36 tháng", "hd 2 nam", "ba năm" → months; "5 tháng lương" is a charge, not a length. */
export function parseContractMonths(text: string): number | undefined {
  // Keep clause breaks: in "hd 3 năm, lương 30tr" the "năm" is not followed by "lương".
  const f = fold(text).replace(/(?<!\d)[,.;](?!\d)/g, " | ").replace(/[^\p{L}\p{N}|]+/gu, " ").replace(/\s+/g, " ");
  const words: Record<string, number> = { mot: 1, hai: 2, ba: 3, bon: 4, nam: 5, sau: 6 };
  const re = /\b(\d+(?:[.,]\d+)?|mot|hai|ba|bon|nam|sau) (nam|thang)\b(?! luong)/g;
  for (const m of f.matchAll(re)) {
    const n = /\d/.test(m[1]!) ? Number(m[1]!.replace(",", ".")) : words[m[1]!]!;
    const months = m[2] === "nam" ? n * 12 : n;
    // A year such as "năm 2024" never reaches here (the number comes after "năm").
    if (months > 0 && months <= 240) return Math.round(months);
  }
  return undefined;
}

/** "lương", "thu nhập" — but not "tháng lương" (months of salary are a price, not a salary). */
const SALARY_WORD_RE = /\b(?<!thang )(luong|thu nhap)\b/;

/** "lương 30tr/tháng", "luong tam 800 usd" → the salary; "5 tháng lương" is not one. */
export function parseSalary(text: string): FeeDialogState["monthlySalary"] {
  const f = ruleText(text);
  const at = f.search(SALARY_WORD_RE);
  if (at < 0) return undefined;
  const amount = parseAmount(f.slice(at));
  return toFeeMoney(amount);
}

function toCharge(kind: ChargeKind, amount: ParsedAmount | undefined, clause: string): Charge {
  const f = ruleText(clause);
  const charge: Charge = { kind };
  const money = toFeeMoney(amount);
  if (isMonths(amount)) charge.months = amount.months;
  else if (money) charge.amount = money;
  if (BEFORE_CONTRACT.test(f)) charge.when = "before_contract";
  if (TO_A_PERSON.test(f)) charge.paidTo = "company_staff_personally";
  return charge;
}

/** Everything one message says about a fee check. */
export function readFeeMessage(kb: KnowledgeBase, text: string): Omit<FeeDialogState, "skipped" | "asking"> {
  const whole = ruleText(text);
  const charges: Charge[] = [];
  const salary = parseSalary(text);
  for (const clause of clauses(text)) {
    const f = ruleText(clause);
    // The salary clause ("lương tầm 30tr/tháng") holds no charge.
    let kind = CHARGE_WORDS.find(([, re]) => re.test(f))?.[0];
    const isSalaryClause = !kind && SALARY_WORD_RE.test(f);
    if (isSalaryClause) continue;
    const amount = parseAmount(clause);
    // "thu 2 tháng lương" names no charge, but months of salary is how service fees are priced.
    if (!kind && /\b(thu|doi|dong|nop|bat|lay)\b/.test(f) && amount) kind = isMonths(amount) ? "service_fee" : "other";
    if (!kind) continue;
    charges.push(toCharge(kind, amount, clause));
  }
  // "Chưa ký hợp đồng mà đã bắt nộp tiền" said once applies to every charge of the message.
  if (BEFORE_CONTRACT.test(whole)) for (const c of charges) c.when = "before_contract";
  return {
    market: kb.markets.destination(text)?.market,
    job: kb.markets.job(text),
    route: kb.markets.route(text),
    contractMonths: parseContractMonths(text),
    monthlySalary: salary,
    charges,
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
  const f = ruleText(text);
  if (!state.asking) return undefined;
  // A long message with a question in it is a new question, even if it names a country.
  const words = f.split(" ").length;
  if (words > 6 && (/\?/.test(text) || /\b(bao nhieu|the nao|ra sao|lam sao|co duoc|o dau|khi nao|gi)\b/.test(f))) return undefined;
  if (DONT_KNOW.test(f)) return { ...state, skipped: [...state.skipped, state.asking], asking: undefined };
  const next: FeeDialogState = { ...state, charges: state.charges.map((c) => ({ ...c })), asking: undefined };
  const amount = parseAmount(text);
  switch (state.asking) {
    case "market": {
      const market = kb.markets.destination(text)?.market ?? (/\b(nuoc khac|khac)\b/.test(f) ? "other" : undefined);
      if (!market) return undefined;
      next.market = market;
      next.route ??= kb.markets.route(text);
      break;
    }
    case "contract_months": {
      const months = parseContractMonths(text) ?? (/^\d{1,2}$/.test(f) ? Number(f) * 12 : undefined);
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

const QUESTIONS: Record<FeeSlot, { question: string; buttons: string[] }> = {
  market: { question: "Bạn định đi nước nào?", buttons: ["Nhật Bản", "Hàn Quốc", "Đài Loan", "Châu Âu", "Trung Đông", "Nước khác"] },
  contract_months: { question: "Hợp đồng làm việc mấy năm?", buttons: ["1 năm", "2 năm", "3 năm", "Không biết"] },
  salary: { question: "Lương mỗi tháng ghi trong hợp đồng là bao nhiêu? Ví dụ: 30 triệu, 1.000 đô.", buttons: ["Không biết"] },
  amount: { question: "Công ty đòi bao nhiêu tiền? Ví dụ: 20 triệu, hoặc 2 tháng lương.", buttons: ["Không biết"] },
  rate: { question: "Khoản tiền đó đổi ra tiền Việt là bao nhiêu đồng?", buttons: ["Không biết"] },
  airfare_price: { question: "Giá một vé máy bay từ nơi làm việc về Việt Nam khoảng bao nhiêu?", buttons: ["Không biết"] },
};

/** Whether a charge's verdict depends on the market (paying too early or to a person does not). */
function needsMarket(c: Charge): boolean {
  if (c.when === "before_contract") return false;
  if (c.kind === "deposit") return c.paidTo !== "company_staff_personally" && c.paidTo !== "individual";
  return c.kind === "service_fee" || c.kind === "package";
}

/** The next thing to ask, or the answer. */
export function nextFeeStep(kb: KnowledgeBase, state: FeeDialogState, asOf?: string): FeeStep {
  if (!state.charges.length) throw new Error("nextFeeStep: the dialog has no charge; start it only when readFeeMessage finds one");
  const ask = (slot: FeeSlot): FeeStep => ({ kind: "ask", slot, ...QUESTIONS[slot], state: { ...state, asking: slot } });
  if (!state.market && state.charges.some(needsMarket) && !state.skipped.includes("market")) return ask("market");
  const input: FeeCheckInput = {
    market: state.market ?? "other",
    job: state.job ?? "other",
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

/**
 * Reads a sum of money or a number of months' salary the way people type it in chat:
 * "5tr", "5 triệu", "12tr5", "5.000.000", "5,5 triệu", "500k", "1 tỷ", "2.000 đô", "$2000",
 * "2000 usd", "50 man" (yên), "ba tháng lương", "2,5 tháng", "hai tháng rưỡi".
 *
 * Pure and synchronous; no exchange rates: a foreign amount stays in its currency and the
 * caller decides what to do (usually: ask for the amount in đồng, or for the rate).
 *
 * Separators: Vietnamese writes "5.000.000" (dot groups thousands) and "5,5" (comma is the
 * decimal mark). A single separator followed by exactly three digits groups thousands
 * ("2.000 đô", "2,000 usd") except a comma before a multiplier ("1,500 triệu" is 1,5 triệu).
 *
 * A bare number without any unit is read as đồng only when it is large enough to be one
 * (≥ 100.000); "150" alone is ambiguous (150 đồng? 150 triệu?) and gives `undefined`.
 *
 * @example
 * parseAmount("cty đòi 12tr5 tiền cọc"); // { value: 12500000, currency: "VND" }
 * parseAmount("$2000");                  // { value: 2000, currency: "USD" }
 * parseAmount("50 man");                 // { value: 500000, currency: "JPY" }
 * parseAmount("ba tháng lương");         // { months: 3 }
 */
import { fold, nfcLower } from "./normalize.ts";

export const AMOUNT_CURRENCIES = ["VND", "USD", "JPY", "TWD", "KRW", "EUR", "AUD", "MYR", "CNY"] as const;
export type AmountCurrency = (typeof AMOUNT_CURRENCIES)[number];

export interface MoneyAmount {
  value: number;
  currency: AmountCurrency;
}
export interface MonthsAmount {
  months: number;
}
export type ParsedAmount = MoneyAmount | MonthsAmount;

export function isMoney(a: ParsedAmount | undefined): a is MoneyAmount {
  return a !== undefined && "value" in a;
}
export function isMonths(a: ParsedAmount | undefined): a is MonthsAmount {
  return a !== undefined && "months" in a;
}

/** Multipliers typed after a number (folded spelling). "man"/"vạn" is 10.000 (Japanese 万). */
const MULTIPLIERS: Record<string, number> = {
  tram: 100,
  k: 1e3, nghin: 1e3, ngan: 1e3,
  man: 1e4, van: 1e4,
  tr: 1e6, trieu: 1e6, cu: 1e6,
  ty: 1e9, ti: 1e9, toi: 1e9,
};

/** Currency words, longest first; matched on folded tokens. */
const CURRENCY_WORDS: Array<[string[], AmountCurrency]> = [
  [["nhan", "dan", "te"], "CNY"],
  [["dai", "te"], "TWD"],
  [["do", "la", "uc"], "AUD"],
  [["do", "uc"], "AUD"],
  [["do", "la", "my"], "USD"],
  [["do", "la"], "USD"],
  [["do", "my"], "USD"],
  [["yen", "nhat"], "JPY"],
  [["usd"], "USD"], [["do"], "USD"], [["dola"], "USD"], [["dollar"], "USD"], [["dollars"], "USD"], [["$"], "USD"],
  [["jpy"], "JPY"], [["yen"], "JPY"], [["¥"], "JPY"],
  [["twd"], "TWD"], [["ntd"], "TWD"],
  [["krw"], "KRW"], [["won"], "KRW"],
  [["eur"], "EUR"], [["euro"], "EUR"], [["€"], "EUR"],
  [["aud"], "AUD"],
  [["myr"], "MYR"], [["ringgit"], "MYR"], [["rm"], "MYR"],
  [["cny"], "CNY"], [["ndt"], "CNY"], [["rmb"], "CNY"],
  [["vnd"], "VND"], [["dong"], "VND"], [["d"], "VND"],
];

/** Currency marks typed before the number. */
const PREFIX_CURRENCY: Array<[string[], AmountCurrency]> = [
  [["us", "$"], "USD"],
  [["nt", "$"], "TWD"],
  [["$"], "USD"],
  [["¥"], "JPY"],
  [["€"], "EUR"],
  [["rm"], "MYR"],
  [["usd"], "USD"],
];

/** Number words, accented. Folded forms are accepted too, except the ambiguous ones below. */
const NUMBER_WORDS: Record<string, number> = {
  "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
  "tám": 8, "chín": 9, "mười": 10, "nửa": 0.5,
};
/** Unaccented spellings that are also common words ("tu" = từ, "sau" = sau, "nam" = năm/nam). */
const AMBIGUOUS_FOLDED = new Set(["tu", "sau", "nam", "mot"]);
const FOLDED_NUMBER_WORDS: Record<string, number> = Object.fromEntries(
  Object.entries(NUMBER_WORDS).map(([w, n]) => [fold(w), n]),
);

/** Units that say the number is not money: years, days, percent, people, ages… */
const NOT_MONEY = new Set(["nam", "ngay", "tuan", "gio", "phut", "tuoi", "nguoi", "lan", "%", "phan", "kg", "cm", "km", "m"]);

/**
 * Accented spellings that may be matched by their folded form. Any other accented word
 * keeps its accents, so "đó" (that) is not "đô" (dollar) and "cũ" (old) is not "củ" (million).
 */
const ACCENTED_OK = new Set([
  "đô", "đồng", "đ", "vnđ", "yên", "tệ", "đài", "nhân", "dân", "úc", "mỹ", "nhật",
  "triệu", "củ", "tỷ", "tỉ", "tỏi", "nghìn", "ngàn", "trăm", "vạn",
  "tháng", "lương", "rưỡi", "mươi", "mười",
  "năm", "ngày", "tuần", "giờ", "phút", "tuổi", "người", "lần", "phần",
]);

interface Token {
  raw: string;
  /** The folded key used for matching: folded when typed unaccented or an accepted spelling. */
  f: string;
  isNumber: boolean;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of nfcLower(text).matchAll(/\d+(?:[.,]\d+)*|\p{L}+|[$¥€%]/gu)) {
    const raw = m[0];
    const folded = fold(raw);
    out.push({ raw, f: raw === folded || ACCENTED_OK.has(raw) ? folded : raw, isNumber: /^\d/.test(raw) });
  }
  return out;
}

/** Value of a number word token, or undefined. `strict` refuses unaccented ambiguous words. */
function numberWord(t: Token, strict: boolean): number | undefined {
  if (t.isNumber) return undefined;
  if (t.raw in NUMBER_WORDS) return NUMBER_WORDS[t.raw];
  if (t.raw === fold(t.raw)) {
    if (strict && AMBIGUOUS_FOLDED.has(t.f)) return undefined;
    return FOLDED_NUMBER_WORDS[t.raw];
  }
  return undefined;
}

/** Reads "12.000.000", "5,5", "2.000", "2,000". `beforeMultiplier` makes a lone comma decimal. */
export function parseNumberText(s: string, beforeMultiplier = false): number | undefined {
  if (!/^\d+(?:[.,]\d+)*$/.test(s)) return undefined;
  const dots = (s.match(/\./g) ?? []).length;
  const commas = (s.match(/,/g) ?? []).length;
  let normal: string;
  if (dots > 0 && commas > 0) {
    const decimal = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
    const group = decimal === "." ? "," : ".";
    normal = s.split(group).join("").replace(decimal, ".");
    if (normal.split(".").length > 2) return undefined;
  } else if (dots + commas === 0) {
    normal = s;
  } else {
    const sep = dots > 0 ? "." : ",";
    const parts = s.split(sep);
    const groupsOk = parts.slice(1).every((p) => p.length === 3);
    if (parts.length > 2) {
      if (!groupsOk) return undefined;
      normal = parts.join("");
    } else if (groupsOk && !(sep === "," && beforeMultiplier)) {
      normal = parts.join("");
    } else {
      normal = parts.join(".");
    }
  }
  const n = Number(normal);
  return Number.isFinite(n) ? n : undefined;
}

function matchSeq(tokens: Token[], at: number, seq: string[]): boolean {
  return seq.every((w, k) => tokens[at + k]?.f === w);
}

function currencyAt(tokens: Token[], at: number, table: Array<[string[], AmountCurrency]>): [AmountCurrency, number] | undefined {
  for (const [seq, cur] of table) if (matchSeq(tokens, at, seq)) return [cur, seq.length];
  return undefined;
}

interface Candidate {
  amount: ParsedAmount;
  /** Had a unit, a currency or a multiplier: the person meant an amount. */
  explicit: boolean;
}

/** Reads a number starting at `i` (digits or number words); returns its value and the next index. */
function readNumber(tokens: Token[], i: number): [number, number] | undefined {
  const t = tokens[i]!;
  if (t.isNumber) {
    const next = tokens[i + 1];
    const beforeMult = next !== undefined && next.f in MULTIPLIERS;
    const n = parseNumberText(t.raw, beforeMult);
    return n === undefined ? undefined : [n, i + 1];
  }
  // Number words only count directly before a unit ("ba tháng", "năm triệu", "hai mươi triệu").
  const first = numberWord(t, false);
  if (first === undefined) return undefined;
  let value = first;
  let j = i + 1;
  const w1 = tokens[j] ? numberWord(tokens[j]!, false) : undefined;
  if (first === 10 && w1 !== undefined && w1 >= 1 && w1 <= 9) {
    value = 10 + w1; // mười hai
    j++;
  } else if (first >= 2 && first <= 9 && (tokens[j]?.f === "muoi")) {
    value = first * 10; // hai mươi (mươi folds like mười)
    j++;
    const w2 = tokens[j] ? numberWord(tokens[j]!, false) : undefined;
    if (w2 !== undefined && w2 >= 1 && w2 <= 9) {
      value += w2;
      j++;
    }
  }
  const unit = tokens[j];
  if (!unit) return undefined;
  const isUnit = unit.f in MULTIPLIERS || unit.f === "thang" || currencyAt(tokens, j, CURRENCY_WORDS) !== undefined;
  if (!isUnit || unit.f === "d") return undefined;
  // "sau tháng", "từ tháng", "nam triệu": refuse unaccented ambiguous words before months.
  if (j === i + 1 && numberWord(t, true) === undefined && unit.f === "thang") return undefined;
  return [value, j];
}

function candidateAt(tokens: Token[], i: number): [Candidate, number] | undefined {
  let prefix: AmountCurrency | undefined;
  let start = i;
  const pre = currencyAt(tokens, i, PREFIX_CURRENCY);
  if (pre && tokens[i + pre[1]]?.isNumber) {
    prefix = pre[0];
    start = i + pre[1];
  }
  const num = readNumber(tokens, start);
  if (!num) return undefined;
  let [value, j] = num;
  let explicit = prefix !== undefined;

  // Months of salary: "3 tháng lương", "2,5 tháng", "hai tháng rưỡi".
  if (!prefix && tokens[j]?.f === "thang") {
    j++;
    if (tokens[j]?.f === "ruoi") {
      value += 0.5;
      j++;
    }
    if (tokens[j]?.f === "luong") j++;
    if (tokens[j]?.f === "ruoi") {
      value += 0.5;
      j++;
    }
    return [{ amount: { months: value }, explicit: true }, j];
  }
  if (!prefix && tokens[j] && NOT_MONEY.has(tokens[j]!.f)) return undefined;

  // Multipliers, possibly chained ("5 trăm nghìn", "1 trăm triệu"), with a tail ("12tr5", "1 tỷ 2").
  let multiplier = 1;
  let currency: AmountCurrency | undefined = prefix;
  while (tokens[j] && tokens[j]!.f in MULTIPLIERS) {
    const m = MULTIPLIERS[tokens[j]!.f]!;
    if (tokens[j]!.f === "man") currency ??= "JPY";
    multiplier *= m;
    explicit = true;
    j++;
  }
  value *= multiplier;
  if (multiplier >= 1e6 || multiplier === 1e4 || multiplier === 1e3) {
    if (tokens[j]?.f === "ruoi") {
      value += multiplier / 2;
      j++;
    } else if (tokens[j]?.isNumber && /^\d{1,3}$/.test(tokens[j]!.raw)) {
      const tail = tokens[j]!.raw;
      const after = tokens[j + 1];
      const smaller = after && after.f in MULTIPLIERS ? MULTIPLIERS[after.f]! : undefined;
      if (smaller !== undefined && smaller < multiplier) {
        value += Number(tail) * smaller; // "1 triệu 200 nghìn"
        j += 2;
      } else if (!(after && (after.f === "thang" || NOT_MONEY.has(after.f)))) {
        value += (Number(tail) / 10 ** tail.length) * multiplier; // "12tr5" = 12,5 triệu
        j++;
      }
    }
  }
  const cur = currencyAt(tokens, j, CURRENCY_WORDS);
  if (cur) {
    currency ??= cur[0];
    explicit = true;
    j += cur[1];
  }
  return [{ amount: { value, currency: currency ?? "VND" }, explicit }, j];
}

function candidates(text: string): Candidate[] {
  const tokens = tokenize(text);
  const out: Candidate[] = [];
  let i = 0;
  while (i < tokens.length) {
    const found = candidateAt(tokens, i);
    if (found) {
      out.push(found[0]);
      i = Math.max(found[1], i + 1);
    } else {
      i++;
    }
  }
  return out;
}

/**
 * The first amount in the text: money `{ value, currency }` or months of salary `{ months }`.
 * A number given as a number is đồng. `undefined` when nothing reads as an amount.
 */
export function parseAmount(text: string | number | undefined | null): ParsedAmount | undefined {
  if (text === undefined || text === null) return undefined;
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? { value: text, currency: "VND" } : undefined;
  const all = candidates(text);
  const explicit = all.find((c) => c.explicit);
  if (explicit) return explicit.amount;
  // A bare number: đồng if it is big enough to be a sum of money, otherwise ambiguous.
  const bare = all.find((c) => isMoney(c.amount) && c.amount.value >= 100_000);
  return bare?.amount;
}

/** Every amount in the text, in order (for messages that list several charges). */
export function parseAmounts(text: string): ParsedAmount[] {
  return candidates(text)
    .filter((c) => c.explicit || (isMoney(c.amount) && c.amount.value >= 100_000))
    .map((c) => c.amount);
}

/** An amount in đồng ("150tr", "150 triệu", 150000000), or undefined (other currency, months, nothing). */
export function parseVndAmount(text: string | number | undefined | null): number | undefined {
  const a = parseAmount(text);
  return isMoney(a) && a.currency === "VND" ? Math.round(a.value) : undefined;
}

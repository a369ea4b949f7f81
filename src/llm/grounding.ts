/**
 * The grounding gate: a model's answer is sent only if every figure in it — number,
 * amount, date, percentage, duration, document number, web address — also appears in the
 * evidence of this turn (the passages the engine retrieved and the tools' outputs), and
 * every document it cites was retrieved or named by a tool. Otherwise the answer is
 * discarded and the offline answer goes out instead. Checked by code, on folded text
 * (no diacritics, lower case), so "3 tháng" in the answer matches "ba tháng" or
 * "3 tháng tiền lương" in a passage, and "100 triệu" matches "100.000.000 đồng".
 *
 * A figure with a unit must match with its unit: "7 tháng" is not grounded by a passage
 * that only says "Điều 7" or "7 ngày".
 *
 * @example
 * const evidence = buildEvidence(["Luật 69/2020/QH14 Điều 23: tối đa 3 tháng tiền lương"]);
 * checkGrounding("Tối đa 3 tháng lương (Luật 69/2020/QH14, Điều 23).", evidence).ok; // true
 * checkGrounding("Tối đa 7 tháng lương (Luật 69/2020/QH14).", evidence).unsupported; // [{ text: "7 thang", … }]
 */
import { fold } from "../text/normalize.ts";
import { parseNumberText } from "../text/amount.ts";

export type ClaimKind = "url" | "document" | "date" | "month" | "quantity" | "number";

/** One checkable statement in a text: what was written (folded) and what it means. */
export interface Claim {
  kind: ClaimKind;
  /** As written, folded ("7 thang", "nghi dinh 338/2025/nd-cp"). */
  text: string;
  /** Canonical form compared with the evidence ("month:7", "date:2026-01-01"). */
  key: string;
}

/** A document reference: its kind when written ("luat", "nghi dinh"…) and its number. */
export interface DocRef {
  type?: string;
  number: string;
}

export interface Evidence {
  keys: Set<string>;
  documents: DocRef[];
  urls: string[];
}

export interface GroundingResult {
  ok: boolean;
  /** Figures and citations the evidence does not support. */
  unsupported: Claim[];
  /** Documents the answer names (all of them in the evidence when ok). */
  cited: DocRef[];
  /** The figures the answer states (amounts, durations, dates, percentages; not bare numbers). */
  figures: Claim[];
}

const DOC_TYPES = ["bo luat", "luat", "nghi dinh", "thong tu", "chi thi", "nghi quyet", "quyet dinh", "ke hoach", "cong van", "thong bao", "bao cao", "huong dan"];
const DOC_ABBREVIATIONS: Record<string, string> = { nd: "nghi dinh", tt: "thong tu", qd: "quyet dinh", nq: "nghi quyet", ct: "chi thi", kh: "ke hoach" };
/** The issuer part of a document code tells its kind ("…/QH14" is a law). */
const CODE_TYPES: Array<[RegExp, string]> = [
  [/^qh/, "luat"], [/^nd-/, "nghi dinh"], [/^tt-/, "thong tu"], [/^nq-/, "nghi quyet"], [/^ct/, "chi thi"], [/^qd-/, "quyet dinh"], [/^kh-/, "ke hoach"],
];

/** Spelled-out numbers before a unit ("ba tháng"); "từ"/"tư" is left out, "từ tháng 7" is common. */
const NUMBER_WORDS: Array<[string, number]> = [
  ["ba muoi sau", 36], ["hai muoi bon", 24], ["hai muoi", 20], ["ba muoi", 30], ["muoi hai", 12], ["muoi lam", 15], ["muoi mot", 11],
  ["mot", 1], ["hai", 2], ["ba", 3], ["bon", 4], ["nam", 5], ["sau", 6], ["bay", 7], ["tam", 8], ["chin", 9], ["muoi", 10],
];
const UNIT_WORDS = "thang|nam|ngay|tuan|gio|tuoi|lan|trieu|ty|nghin|ngan|phan tram";
const NUMBER_WORD_RE = new RegExp(`\\b(${NUMBER_WORDS.map(([w]) => w).join("|")})\\s+(?=(?:${UNIT_WORDS})\\b)`, "g");

/** Multipliers and the currency they imply unless one is named after them. */
const MULTIPLIERS: Record<string, number> = { nghin: 1e3, ngan: 1e3, trieu: 1e6, ty: 1e9, thousand: 1e3, million: 1e6, billion: 1e9 };
/** Vietnamese units, and the English ones an answer to an English question uses. */
const UNITS: Array<[RegExp, string]> = [
  [/^(%|phan tram|percent)/, "pct"],
  [/^(dong|vnd|d)\b/, "vnd"],
  [/^(usd|do la|do my|do|dollars?)\b/, "usd"],
  [/^months?\b/, "month"],
  [/^years?\b/, "year"],
  [/^days?\b/, "day"],
  [/^(yen|jpy)\b/, "jpy"],
  [/^(won|krw)\b/, "krw"],
  [/^(twd|dai te|te)\b/, "twd"],
  [/^(euro|eur)\b/, "eur"],
  [/^thang\b/, "month"],
  [/^nam\b/, "year"],
  [/^ngay\b/, "day"],
  [/^tuan\b/, "week"],
  [/^gio\b/, "hour"],
  [/^tuoi\b/, "age"],
  [/^lan\b/, "times"],
];

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>()"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.vn|vn|com|org|net|int)\b(?:\/[^\s<>()"']*)?/g;
const TYPED_DOC_RE = new RegExp(`\\b(${DOC_TYPES.join("|")}|${Object.keys(DOC_ABBREVIATIONS).join("|")})\\.?\\s*(?:so\\s+)?(\\d+)((?:[/-][a-z0-9]+)*(?:/[a-z0-9-]+)*)`, "g");
/** "69/2020/qh14", "338/2025/nd-cp", "83/nq-cp", "20-ct/tw": an issuer code, not a fraction. */
const CODE_DOC_RE = /\b(\d+)((?:\/\d{4})?\/(?:qh\d+|[a-z]{1,6}-[a-z0-9]+(?:-[a-z0-9]+)*)|-(?:ct|kh|nq|qd)\/[a-z]+)/g;
const DATE_RES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b/g, (m) => isoDate(m[3]!, m[2]!, m[1]!)],
  [/\b(\d{4})-(\d{2})-(\d{2})\b/g, (m) => isoDate(m[1]!, m[2]!, m[3]!)],
  [/\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b/g, (m) => isoDate(m[3]!, m[2]!, m[1]!)],
];
const MONTH_RES: RegExp[] = [/\bthang (\d{1,2})(?:\/| nam )(\d{4})\b/g, /\b(\d{1,2})\/(\d{4})\b/g];
/** Digits after letters count too: "N3" (a Japanese level), "B1", digits glued to a word. */
const NUMBER_RE = /(?<![\d.,/])(\$\s*)?(\d+(?:[.,]\d+)*)(?![.,]?\d|\/)\s*([%$]|[a-z]+(?: [a-z]+)?)?/g;
/** "1. ", "2) " at the start of a line: list numbering, not a figure. */
const LIST_MARKER_RE = /^(\s*)\d{1,2}[.)](?=\s)/gm;

function isoDate(y: string, m: string, d: string): string {
  return `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
}

function canonical(n: number): string {
  return String(Number(n.toPrecision(9)));
}

/** Blanks a match so later patterns do not read it again (lengths kept). */
function blank(text: string, start: number, length: number): string {
  return text.slice(0, start) + " ".repeat(length) + text.slice(start + length);
}

function docType(word: string): string {
  return DOC_ABBREVIATIONS[word] ?? word.replace("bo luat", "luat");
}

function codeType(code: string): string | undefined {
  const issuer = code.replace(/^(\/\d{4})?[/-]/, "");
  return CODE_TYPES.find(([re]) => re.test(issuer))?.[1];
}

/**
 * Every checkable claim in a text, in order of kind: addresses, document numbers, dates,
 * then amounts and other numbers. Each pattern blanks what it read, so "69/2020/QH14" is
 * one document and not also the numbers 69 and 2020.
 */
export function extractClaims(input: string): Claim[] {
  let text = fold(input).replace(NUMBER_WORD_RE, (_w, word: string) => `${NUMBER_WORDS.find(([w]) => w === word)![1]} `);
  const claims: Claim[] = [];
  const take = (re: RegExp, make: (m: RegExpExecArray) => Claim | undefined) => {
    for (const m of [...text.matchAll(re)]) {
      const claim = make(m as RegExpExecArray);
      if (!claim) continue;
      claims.push(claim);
      text = blank(text, m.index!, m[0].length);
    }
  };
  take(URL_RE, (m) => {
    const url = m[0].replace(/[.,;:!?]+$/, "");
    return { kind: "url", text: url, key: url.replace(/^https?:\/\//, "").replace(/^www\./, "").replace(/\/$/, "") };
  });
  take(TYPED_DOC_RE, (m) => {
    const type = docType(m[1]!);
    return { kind: "document", text: m[0].trim(), key: `${type}|${Number(m[2])}` };
  });
  take(CODE_DOC_RE, (m) => ({ kind: "document", text: m[0], key: `${codeType(m[2]!) ?? ""}|${Number(m[1])}` }));
  for (const [re, iso] of DATE_RES) take(re, (m) => ({ kind: "date", text: m[0], key: `date:${iso(m)}` }));
  for (const re of MONTH_RES) {
    take(re, (m) => (Number(m[1]) >= 1 && Number(m[1]) <= 12 ? { kind: "month", text: m[0], key: `month:${m[2]}-${m[1]!.padStart(2, "0")}` } : undefined));
  }
  text = text.replace(LIST_MARKER_RE, (whole, lead: string) => lead + " ".repeat(whole.length - lead.length));
  take(NUMBER_RE, (m) => {
    const value = parseNumberText(m[2]!);
    // Too large or malformed for a number: still a figure, compared as written.
    if (value === undefined) return { kind: "number", text: m[2]!, key: `number:${m[2]}` };
    const after = (m[3] ?? "").trim();
    if (m[1]) return { kind: "quantity", text: m[0].trim(), key: `usd:${canonical(value)}` };
    const multiplier = Object.keys(MULTIPLIERS).find((w) => after === w || after.startsWith(`${w} `));
    if (multiplier) {
      const rest = after.slice(multiplier.length).trim();
      const currency = UNITS.find(([re]) => re.test(rest))?.[1];
      const unit = currency && !["pct", "month", "year", "day", "week", "hour", "age", "times"].includes(currency) ? currency : "vnd";
      return { kind: "quantity", text: m[0].trim(), key: `${unit}:${canonical(value * MULTIPLIERS[multiplier]!)}` };
    }
    const unit = UNITS.find(([re]) => re.test(after))?.[1];
    if (unit) return { kind: "quantity", text: m[0].trim(), key: `${unit}:${canonical(value)}` };
    return { kind: "number", text: m[2]!, key: `number:${canonical(value)}` };
  });
  return claims;
}

function docRef(claim: Claim): DocRef {
  const [type, number] = claim.key.split("|") as [string, string];
  return { type: type || undefined, number };
}

function sameDoc(a: DocRef, b: DocRef): boolean {
  return a.number === b.number && (!a.type || !b.type || a.type === b.type);
}

/**
 * What this turn's evidence supports: every figure in the passages and tool outputs
 * (each also as a bare number, each date also as its month and its parts), the documents
 * named in them, and the documents given separately (a passage's citation name).
 */
export function buildEvidence(texts: string[], documentNames: string[] = []): Evidence {
  const keys = new Set<string>();
  const documents: DocRef[] = [];
  const urls: string[] = [];
  for (const claim of [...texts, ...documentNames].flatMap(extractClaims)) {
    keys.add(claim.key);
    if (claim.kind === "document") {
      const ref = docRef(claim);
      documents.push(ref);
      keys.add(`number:${ref.number}`);
    } else if (claim.kind === "url") urls.push(claim.key);
    else if (claim.kind === "date" || claim.kind === "month") {
      const [y, m, d] = claim.key.slice(claim.key.indexOf(":") + 1).split("-") as [string, string, string?];
      keys.add(`month:${y}-${m}`);
      for (const part of [y, m, d]) if (part) keys.add(`number:${Number(part)}`);
    } else if (claim.kind === "quantity") {
      const [unit, value] = claim.key.split(":") as [string, string];
      keys.add(`number:${value}`);
      // "100 triệu" is also the number 100 as written.
      const written = parseNumberText(/(\d+(?:[.,]\d+)*)/.exec(claim.text)?.[1] ?? "");
      if (written !== undefined) keys.add(`number:${canonical(written)}`);
      if (unit === "vnd") keys.add(`vnd:${value}`);
    } else if (claim.kind === "number" && Number(claim.key.slice(7)) >= 1000) {
      // A tool's JSON carries amounts as plain numbers (30000000).
      keys.add(`vnd:${claim.key.slice(7)}`);
    }
  }
  return { keys, documents, urls };
}

/** The value part of a key ("month:7" → "7"), for comparing figures across units. */
function keyValue(key: string): string {
  return key.slice(key.indexOf(":") + 1);
}

/**
 * Evidence from a tool's output without the figures the model itself put in the call
 * (unless the person wrote them too): a model must not ground "7 tháng" by passing 7 to a
 * tool that repeats it.
 */
export function withoutEchoes(evidence: Evidence, args: unknown, userText: string): Evidence {
  const given = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "number" && Number.isFinite(v)) given.add(canonical(v));
    else if (typeof v === "string") for (const c of extractClaims(v)) given.add(keyValue(c.key));
    else if (v && typeof v === "object") for (const x of Object.values(v)) collect(x);
  };
  collect(args);
  const said = new Set([...buildEvidence([userText]).keys].map(keyValue));
  const keys = new Set([...evidence.keys].filter((k) => !given.has(keyValue(k)) || said.has(keyValue(k))));
  return { ...evidence, keys };
}

export function mergeEvidence(parts: Evidence[]): Evidence {
  return {
    keys: new Set(parts.flatMap((p) => [...p.keys])),
    documents: parts.flatMap((p) => p.documents),
    urls: parts.flatMap((p) => p.urls),
  };
}

/** Checks an answer against the evidence; see the module comment. */
export function checkGrounding(answer: string, evidence: Evidence): GroundingResult {
  const unsupported: Claim[] = [];
  const cited: DocRef[] = [];
  const figures: Claim[] = [];
  for (const claim of extractClaims(answer)) {
    if (claim.kind === "document") {
      const ref = docRef(claim);
      cited.push(ref);
      if (!evidence.documents.some((d) => sameDoc(d, ref))) unsupported.push(claim);
    } else if (claim.kind === "url") {
      if (!evidence.urls.some((u) => u === claim.key || u.startsWith(`${claim.key}/`))) unsupported.push(claim);
    } else {
      if (claim.kind !== "number") figures.push(claim);
      if (!evidence.keys.has(claim.key)) unsupported.push(claim);
    }
  }
  return { ok: unsupported.length === 0, unsupported, cited, figures };
}

/** Whether a document reference (from an answer) names this document (a citation's name). */
export function namesDocument(ref: DocRef, documentName: string): boolean {
  return extractClaims(documentName).some((c) => c.kind === "document" && sameDoc(docRef(c), ref));
}

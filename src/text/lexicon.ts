/**
 * The abbreviation and slang dictionary (`knowledge/lexicon.yaml`) and the number and
 * document-number canonicalisation that both indexing and querying use.
 *
 * - Numbers: "5.000" and "5000" are one token; "5tr" → "5 triệu"; "$2000", "2000 đô" → "2000 usd";
 *   "ba tháng" → "3 tháng".
 * - Document numbers: "112/2021/NĐ-CP", "nđ 112", "nghị định 112" all add the key "docnum:112".
 * - Abbreviations ("xkld", "nhcsxh", "di han"…) are expanded in queries only, and only when
 *   typed without diacritics, so "nhất" in "nhiều nhất" never turns into "Nhật Bản".
 *
 * @example
 * const lex = Lexicon.fromYaml(text);
 * lex.expand(tokenize("ky quy di han bao nhieu")) // adds "ký", "quỹ", "đi", "hàn", "quốc" …
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { fold, tokenize, toneKey } from "./normalize.ts";

const lexiconFileSchema = z.object({
  abbreviations: z.record(z.string(), z.string()),
  number_words: z.record(z.string(), z.number()),
  number_units: z.array(z.string()),
  currency_words: z.record(z.string(), z.string()),
  document_prefixes: z.array(z.string()),
  stopwords: z.array(z.string()).default([]),
});

const MAX_KEY_TOKENS = 4;

/** Canonical form of a number token: thousands separators out, decimal comma → dot. */
export function canonicalNumber(token: string): string {
  if (/^\d{1,3}(?:[.,]\d{3})+$/.test(token)) return token.replace(/[.,]/g, "");
  if (/^\d+,\d+$/.test(token)) return token.replace(",", ".");
  return token;
}

/** The leading number of a document number ("112/2021/nđ-cp" → "112", "20-ct/tw" → "20"). */
export function documentNumberKey(token: string): string | undefined {
  const m = /^(\d{1,4})[/-]/.exec(token);
  if (!m || !/\//.test(token)) return undefined;
  return `docnum:${Number(m[1])}`;
}

/**
 * Words that are English and never an unaccented Vietnamese syllable ("can" is "cần",
 * "the" is "thẻ", so they are not here). Two of them make a message English.
 */
const ENGLISH_MARKERS = new Set([
  "what", "how", "is", "are", "was", "the", "which", "who", "where", "when", "why", "if", "of", "for", "from", "with",
  "and", "should", "there", "much", "many", "get", "will", "your", "you", "does", "have", "has", "would", "could", "my",
  "abroad", "about", "job", "work", "after", "before",
]);

/** Whether a message is written in English (so words our Vietnamese corpus lacks say nothing). */
export function looksEnglish(tokens: string[]): boolean {
  const markers = new Set(tokens.filter((t) => ENGLISH_MARKERS.has(t)));
  return markers.size >= 2;
}

export class Lexicon {
  private readonly abbreviations = new Map<string, string[]>();
  /** Keys written with diacritics ("sang đài", "hđ"), matched exactly when typed so. */
  private readonly accentedAbbreviations = new Map<string, string[]>();
  private readonly numberWords: Map<string, number>;
  private readonly numberUnits: Set<string>;
  private readonly currencies = new Map<string, string>();
  private readonly docPrefixes: Set<string>;
  private readonly stopFolded: Set<string>;
  private readonly stopExact: Set<string>;

  constructor(data: z.infer<typeof lexiconFileSchema>) {
    for (const [key, value] of Object.entries(data.abbreviations)) {
      this.abbreviations.set(fold(key), tokenize(value));
      const exact = tokenize(key).join(" ");
      if (fold(exact) !== exact) this.accentedAbbreviations.set(exact, tokenize(value));
    }
    this.numberWords = new Map(Object.entries(data.number_words).map(([k, v]) => [fold(k), v]));
    this.numberUnits = new Set(data.number_units.map(fold));
    for (const [k, v] of Object.entries(data.currency_words)) this.currencies.set(fold(k), v);
    this.docPrefixes = new Set(data.document_prefixes.map(fold));
    this.stopFolded = new Set(data.stopwords.map(fold));
    this.stopExact = new Set(data.stopwords.map(toneKey));
  }

  static fromYaml(text: string, file = "lexicon.yaml"): Lexicon {
    const parsed = lexiconFileSchema.safeParse(parseYaml(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}: field "${issue.path.join(".")}": ${issue.message}`);
    }
    return new Lexicon(parsed.data);
  }

  static fromFile(path: string): Lexicon {
    return Lexicon.fromYaml(readFileSync(path, "utf8"), path);
  }

  /**
   * Number and document-number canonicalisation, for documents and queries alike.
   * Returns the tokens with canonical numbers plus any "docnum:N" keys.
   */
  canonicalize(tokens: string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let token = canonicalNumber(tokens[i]!);
      const f = fold(token);
      // "5tr", "100trieu", "2000usd", "2000đ"
      const glued = /^(\d+(?:\.\d+)?)(tr|trieu|ty|k|usd|do|đ|d|dong)$/.exec(f);
      if (glued) {
        const unit = { tr: "triệu", trieu: "triệu", ty: "tỷ", k: "nghìn", usd: "usd", do: "usd", "đ": "đồng", d: "đồng", dong: "đồng" }[glued[2]!]!;
        out.push(glued[1]!, unit);
        continue;
      }
      // "ba tháng" → "3 tháng" (only before a unit, "năm" alone stays a year).
      const next = tokens[i + 1] !== undefined ? fold(tokens[i + 1]!) : undefined;
      const asNumber = this.numberWords.get(f);
      if (asNumber !== undefined && next !== undefined && this.numberUnits.has(next)) {
        token = String(asNumber);
      }
      // "2000 đô" → "2000 usd"
      if (/^\d/.test(token) && next !== undefined && this.currencies.has(next)) {
        out.push(token, this.currencies.get(next)!);
        i++;
        continue;
      }
      out.push(token);
      // "08/4/2024" also says "2024": people ask by year.
      const date = /^\d{1,2}[/.-]\d{1,2}[/.-](\d{4})$/.exec(token);
      if (date) out.push(date[1]!);
      const doc = date ? undefined : documentNumberKey(f);
      if (doc) out.push(doc);
      // "nđ 112", "nghị định 112", "luật 69"
      if (/^\d{1,4}$/.test(token) && i > 0) {
        const prev1 = fold(tokens[i - 1]!);
        const prev2 = i > 1 ? `${fold(tokens[i - 2]!)} ${prev1}` : "";
        if (this.docPrefixes.has(prev1) || this.docPrefixes.has(prev2)) out.push(`docnum:${Number(token)}`);
      }
    }
    return out;
  }

  /**
   * Whether a word carries no topic on its own. Unaccented words compare without
   * diacritics; accented ones exactly, so "đăng" (register) is not "đang" (-ing).
   */
  isStopword(token: string): boolean {
    const folded = fold(token);
    return folded === token.toLowerCase() ? this.stopFolded.has(folded) : this.stopExact.has(toneKey(token));
  }

  /** Whether the dictionary itself knows a folded word (an abbreviation, number word, unit…). */
  knows(folded: string): boolean {
    if (this.stopFolded.has(folded) || this.numberWords.has(folded) || this.numberUnits.has(folded) || this.currencies.has(folded)) return true;
    this.keyWords ??= new Set([...this.abbreviations.keys()].flatMap((k) => k.split(" ")));
    return this.keyWords.has(folded);
  }
  private keyWords?: Set<string>;

  /** Query-side expansion: canonical numbers plus the dictionary's expansions, flat. */
  expand(tokens: string[]): string[] {
    return this.expandSegments(tokens).flat();
  }

  /**
   * Query-side expansion as segments: the canonical tokens first, then one segment per
   * dictionary expansion. Word pairs are only formed inside a segment, so an expansion's
   * last word never pairs with the next one's first ("quốc" + "bao").
   */
  expandSegments(tokens: string[]): string[][] {
    const canonical = this.canonicalize(tokens);
    const out: string[][] = [canonical];
    for (let i = 0; i < canonical.length; i++) {
      for (let n = Math.min(MAX_KEY_TOKENS, canonical.length - i); n >= 1; n--) {
        const span = canonical.slice(i, i + n);
        // An unaccented span may be any of several words, so it expands by its folded key;
        // an accented span already says what it means and expands only by an accented key.
        const accented = span.some((t) => fold(t) !== t);
        const expansion = accented ? this.accentedAbbreviations.get(span.join(" ")) : this.abbreviations.get(span.join(" "));
        if (expansion) {
          out.push(expansion);
          break;
        }
      }
    }
    return out;
  }
}



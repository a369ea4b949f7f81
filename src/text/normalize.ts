/**
 * Vietnamese text normalisation shared by indexing and querying.
 *
 * People type the same word several ways: with or without diacritics ("ký quỹ" /
 * "ky quy"), with the tone mark on either vowel ("hoà" / "hòa"), in NFD from some phone
 * keyboards. Matching therefore works on two keys per syllable:
 * - `fold`: no diacritics at all, lower case, đ → d ("ký quỹ" → "ky quy");
 * - `toneKey`: vowel letters kept, tone moved to a trailing digit ("hoà" and "hòa" → "hoa2"),
 *   so an accented query still prefers the accented match.
 * Answers always show the original text; these keys are for matching only.
 *
 * @example
 * fold("Ký quỹ đi Hàn") // "ky quy di han"
 * toneKey("thuỷ") === toneKey("thủy") // true
 */

// Combining tone marks in NFD: grave, acute, tilde, hook above, dot below.
const TONE_MARKS: Record<string, string> = {
  "\u0300": "2",
  "\u0301": "1",
  "\u0303": "4",
  "\u0309": "3",
  "\u0323": "5",
};
const TONE_RE = /[\u0300\u0301\u0303\u0309\u0323]/g;
const COMBINING_RE = /\p{M}/gu;

/** Unicode NFC, lower case, Vietnamese-aware. */
export function nfcLower(text: string): string {
  return text.normalize("NFC").toLowerCase();
}

/** Each non-ASCII character folded on its own, once: fold runs on every word of every message and unit. */
const foldedChars = new Map<string, string>();

function foldChar(ch: string): string {
  let folded = foldedChars.get(ch);
  if (folded === undefined) {
    folded = ch.normalize("NFD").replace(COMBINING_RE, "").replace(/đ/g, "d").replace(/Đ/g, "D");
    if (foldedChars.size < 10_000) foldedChars.set(ch, folded);
  }
  return folded;
}

/** Removes every diacritic: "Đi làm ở Đài Loan" → "di lam o dai loan". */
export function fold(text: string): string {
  // ASCII (most typed messages, most of the folded index) needs only lower case.
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      ascii = false;
      break;
    }
  }
  if (ascii) return text.toLowerCase();
  // Long text (a whole passage) in one pass: joining it character by character would
  // build a string of thousands of pieces.
  if (text.length > 64) return text.normalize("NFD").replace(COMBINING_RE, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  // Words and short phrases, characters one by one: the same as decomposing the whole text (NFD), dropping the
  // marks and writing đ as d, because no mark combines across characters once dropped.
  let out = "";
  for (const ch of text) out += ch.charCodeAt(0) < 128 ? ch : foldChar(ch);
  return out.toLowerCase();
}

/**
 * One canonical spelling per syllable whatever the tone-mark placement:
 * vowel-quality marks stay (â, ă, ê, ô, ơ, ư, đ), the tone becomes a digit suffix.
 */
export function toneKey(syllable: string): string {
  const decomposed = syllable.toLowerCase().normalize("NFD");
  let tone = "";
  const base = decomposed.replace(TONE_RE, (mark) => {
    tone = TONE_MARKS[mark] ?? "";
    return "";
  });
  return base.normalize("NFC") + tone;
}

// Letters, digits, and joiners inside numbers/document numbers ("5.000", "69/2020/qh14").
const TOKEN_RE = /[\p{L}\p{N}]+(?:[./,\-–][\p{L}\p{N}]+)*/gu;

/**
 * Splits text into lower-case NFC tokens. Document numbers and amounts stay whole
 * ("112/2021/nđ-cp", "5.000"), words split on spaces and punctuation.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // "$2000", "2000$" → "2000 usd"
  const dollars = nfcLower(text).replace(/\$\s*(\d[\d.,]*)/g, "$1 usd").replace(/(\d[\d.,]*)\s*\$/g, "$1 usd");
  for (const match of dollars.matchAll(TOKEN_RE)) {
    const token = match[0];
    if (/\d/.test(token) || /\//.test(token)) {
      out.push(token);
    } else {
      // Hyphenated words ("xuất-khẩu") and stray joiners split into syllables.
      for (const part of token.split(/[./,\-–]/)) if (part) out.push(part);
    }
  }
  return out;
}

/** Removes control, zero-width and bidi characters that break matching and rendering. */
export function stripInvisible(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, "")
    .replace(/[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF\uFFFE\uFFFF]/g, "")
    // Invisible "tag" characters (U+E0000–U+E007F) hide text from people but not from code.
    .replace(/\uDB40[\uDC00-\uDC7F]/g, "")
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "");
}

/** ruleText's pattern per set of kept characters, compiled once (replace resets a global pattern's lastIndex). */
const stripPatterns = new Map<string, RegExp>();

/**
 * Folded words separated by single spaces, punctuation dropped: the text that rules read
 * ("Đi Đài Loan, có đúng không?" → "di dai loan co dung khong"). `keep` lists punctuation
 * a rule needs (the intent rules keep "$").
 */
export function ruleText(text: string, keep = ""): string {
  let strip = stripPatterns.get(keep);
  if (!strip) stripPatterns.set(keep, (strip = new RegExp(`[^\\p{L}\\p{N}${keep.replace(/[\]\\^-]/g, "\\$&")} ]+`, "gu")));
  return fold(text).replace(strip, " ").replace(/\s+/g, " ").trim();
}


/** Cleans what a user typed: invisible characters out, NFC, whitespace collapsed. */
export function cleanUserText(text: string): string {
  return stripInvisible(text).normalize("NFC").replace(/\s+/g, " ").trim();
}

/** Splits prose into sentences, keeping list items and headings as their own units. */
export function splitSentences(text: string): string[] {
  const units: string[] = [];
  for (const line of text.split(/\n+/)) {
    const trimmed = line.replace(/^\s*(?:[-+*]|#+)\s*/, "").trim();
    if (!trimmed) continue;
    // A sentence ends at . ! ? ; followed by a space and an upper-case letter or digit.
    const parts = trimmed.split(/(?<=[.!?;])\s+(?=[\p{Lu}\d(“"])/u);
    for (const p of parts) if (p.trim()) units.push(p.trim());
  }
  return units;
}

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * Words one edit away from `word` (deletion, transposition, substitution, insertion of
 * an unaccented letter): the usual slips on a phone keyboard ("vonn", "huog", "dai laon").
 */
export function oneEditAway(word: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail) out.add(head + tail.slice(1));
    if (tail.length > 1) out.add(head + tail[1] + tail[0] + tail.slice(2));
    for (const c of LETTERS) {
      if (tail) out.add(head + c + tail.slice(1));
      out.add(head + c + tail);
    }
  }
  out.delete(word);
  return out;
}

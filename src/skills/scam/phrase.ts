/**
 * Diacritic-aware phrase matching for the scam check: a syllable typed without diacritics
 * matches any accented form ("bao dau" matches "bao đậu"), while a syllable typed with
 * diacritics must match exactly (tone placement aside). So an unaccented message is still
 * read, and an accented "báo đâu" is not mistaken for "bao đậu".
 *
 * Patterns (knowledge/red-flags.yaml, knowledge/vocabulary/scam.yaml) are regex syntax
 * over words written in proper Vietnamese; `phrase` compiles one against the encoded text
 * `encodeText` makes of a message.
 *
 * @example
 * const t = encodeText("Bao đậu 100%");
 * findMatch(t, phrase("bao (đậu|đỗ)"), false); // { from: 0, to: 2 }
 */
import { fold, nfcLower, toneKey } from "../../text/normalize.ts";

/**
 * Each syllable of the message becomes "fold#key": key is "*" when typed without
 * diacritics (it may stand for any accented form), else its tone key ("đậu" → "dau#đâu5").
 */
function encodeSyllable(s: string): string {
  const f = fold(s);
  return f === s ? `${f}#*` : `${f}#${toneKey(s)}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A pattern syllable matches the same syllable typed without diacritics or with the same ones. */
function compileSyllable(word: string): string {
  const w = nfcLower(word);
  const f = fold(w);
  return `${escapeRe(f)}#(?:\\*|${escapeRe(toneKey(w))})`;
}

/**
 * Compiles a phrase pattern: regex syntax over words written in proper Vietnamese. Words
 * are separated by single spaces; escapes, `{m,n}` and `[...]` classes pass through.
 */
export function phrase(source: string): RegExp {
  // Only words are lower-cased: "\\S" and "\\s" must keep their meaning.
  const compiled = source.replace(/\\.|\{\d*,?\d*\}|\[[^\]]*\]|[\p{L}\p{N}]+/gu, (m) => (m.startsWith("\\") || m.startsWith("{") || m.startsWith("[") ? m : compileSyllable(m)));
  return new RegExp(`(?<= )(?:${compiled})(?= )`, "gu");
}

/** Up to n words of anything. */
export const gap = (n: number): string => `(?:[^ ]+ ){0,${n}}`;
/** Any number token ("50", "50tr", "2000usd"): digits are never accented. */
export const NUM = String.raw`\d[^ #]*#\*`;

export interface EncodedText {
  rep: string;
  starts: number[];
  words: string[];
}

export function encodeText(text: string): EncodedText {
  const words = [...nfcLower(text).matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);
  const starts: number[] = [];
  let rep = " ";
  for (const w of words) {
    starts.push(rep.length);
    rep += `${encodeSyllable(w)} `;
  }
  return { rep, starts, words };
}

/** Words `from` (inclusive) to `to` (exclusive) of the message. */
export interface Match {
  from: number;
  to: number;
}

/**
 * The first match of `re` in the message. With `negation`, a match preceded by (or whose
 * own later words contain) a negation word is skipped: it is advice or a denial.
 */
export function findMatch(t: EncodedText, re: RegExp, negation: RegExp | null): Match | undefined {
  re.lastIndex = 0;
  for (const m of t.rep.matchAll(re)) {
    const from = t.starts.indexOf(m.index);
    if (from === -1) continue;
    const end = m.index + m[0].length;
    let to = from;
    while (to < t.starts.length && t.starts[to]! < end) to++;
    if (negation) {
      // Two words before the phrase, and its own words after the first (a phrase may start
      // with "không" on purpose: "không đậu hoàn tiền"; "môi giới, không thu phí" is a denial).
      const tokenAt = (i: number): string => t.rep.slice(t.starts[i]!, t.starts[i + 1] ?? t.rep.length);
      const around: string[] = [];
      for (let i = Math.max(0, from - 2); i < from; i++) around.push(tokenAt(i));
      for (let i = from + 1; i < to; i++) around.push(tokenAt(i));
      negation.lastIndex = 0;
      if (negation.test(` ${around.join("")}`)) continue;
    }
    return { from, to };
  }
  return undefined;
}

/**
 * Lexical features for Vietnamese without a word segmenter: folded syllables, folded
 * syllable bigrams (≈ compound words such as "ký quỹ", "đài loan"), tone-exact syllables
 * at lower weight (so "giá" prefers "giá" over "gia") and character 3-grams at low weight
 * (so a typo still lands near its word). Both the vector index and the keyword ranker
 * read text through this one module.
 */
import { fold, toneKey, tokenize } from "../text/normalize.ts";
import type { Lexicon } from "../text/lexicon.ts";

export interface TermBag {
  /** Folded syllables and tokens ("ky", "quy", "69/2020/qh14"). */
  unigrams: string[];
  /** Folded adjacent pairs ("ky_quy"). */
  bigrams: string[];
  /** Tone-exact syllables ("ký1"); only for tokens that carry diacritics. */
  tones: string[];
  /** Character 3-grams of folded syllables with boundary marks. */
  trigrams: string[];
}

export function hasDiacritics(text: string): boolean {
  return fold(text) !== text.toLowerCase();
}

/**
 * Terms of `text`. Documents and queries both get number and document-number
 * canonicalisation; `asQuery` also applies the abbreviation/slang dictionary.
 */
export function termBag(text: string, lexicon: Lexicon, asQuery = false): TermBag {
  const raw = tokenize(text);
  const segments = asQuery ? lexicon.expandSegments(raw) : [lexicon.canonicalize(raw)];
  const tokens = segments.flat();
  const unigrams = tokens.map(fold);
  const bigrams: string[] = [];
  for (const segment of segments) {
    for (let i = 0; i + 1 < segment.length; i++) bigrams.push(`${fold(segment[i]!)}_${fold(segment[i + 1]!)}`);
  }
  const tones = tokens.filter((t) => hasDiacritics(t)).map(toneKey);
  const trigrams: string[] = [];
  for (const u of unigrams) {
    if (!/^\p{L}+$/u.test(u)) continue;
    const padded = `#${u}#`;
    for (let i = 0; i + 3 <= padded.length; i++) trigrams.push(padded.slice(i, i + 3));
  }
  return { unigrams, bigrams, tones, trigrams };
}

/** 32-bit FNV-1a: stable across runs and platforms, which the saved index relies on. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * How well a retrieved unit covers a question: the share (0..1, idf-weighted) of the
 * question's informative words found in the unit, word pairs counting too ("đăng ký",
 * "ký quỹ"), so a passage that has the phrase beats one that merely has both syllables
 * somewhere. The retriever re-ranks by it and the composer decides with it whether a unit
 * can answer at all.
 *
 * @example
 * const query = profileQuery(kb.lexicon, stats, "ky quy di han bao nhieu");
 * coverage(query, unitTermsOf(kb, hit)); // 0.8
 */
import type { KnowledgeBase } from "../knowledge/load.ts";
import { cardText } from "../knowledge/load.ts";
import type { ChunkMetadata } from "../knowledge/chunk.ts";
import { looksEnglish, type Lexicon } from "../text/lexicon.ts";
import { fold, tokenize, toneKey } from "../text/normalize.ts";
import type { CorpusStats } from "./corpus.ts";
import { hasDiacritics, termBag } from "./features.ts";

/** Weight of an adjacent word pair relative to its words. */
const PHRASE_WEIGHT = 0.3;
/** Pairs the corpus never saw would otherwise dominate the total. */
export const MAX_PHRASE_IDF = 3;
/** How rare a phrase must be for an unaccented stopword in it to count as a word. */
const PHRASE_STOPWORD_MIN_IDF = 3;
/** Weight of a question word the knowledge never uses (about the idf of a common topic word). */
const UNKNOWN_WORD_WEIGHT = 3;

export interface QueryTerm {
  token: string;
  folded: string;
  accented: boolean;
  /** Folded words the dictionary expands this token to ("xkld" → xuat, khau, lao, dong…). */
  alternatives: string[];
  weight: number;
}

export interface Phrase {
  bigram: string;
  weight: number;
}

/** A question as ranking and composing read it, computed once per message. */
export interface QueryProfile {
  /** The question after the spelling fix. */
  text: string;
  /** Informative words, weighted by how rare they are in the knowledge. */
  terms: QueryTerm[];
  /** Adjacent word pairs the knowledge uses, where at least one word is informative. */
  phrases: Phrase[];
}

/** What a unit (a card with its questions, or a source passage) contains, for matching. */
export interface UnitTerms {
  /** Informative folded words of a card's title (empty for passages). */
  titleWords: string[];
  /** Folded words separated by single spaces, padded: for whole-name matches (" long bien "). */
  text: string;
  folded: Set<string>;
  bigrams: Set<string>;
  tones: Set<string>;
}

function queryPhrases(lexicon: Lexicon, stats: CorpusStats, question: string): Phrase[] {
  const tokens = lexicon.canonicalize(tokenize(question)).filter((t) => !t.startsWith("docnum:"));
  const out: Phrase[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (lexicon.isStopword(a) && lexicon.isStopword(b)) continue;
    const bigram = `${fold(a)}_${fold(b)}`;
    // Only phrases our knowledge uses somewhere; an accidental pair ("han bao") says nothing.
    const weight = stats.idf.get(bigram);
    if (weight !== undefined) out.push({ bigram, weight });
  }
  return out;
}

function queryTerms(lexicon: Lexicon, stats: CorpusStats, question: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  const tokens = tokenize(question);
  // In an English question, a word our Vietnamese knowledge never uses and the dictionary
  // cannot translate ("recruitment", "tell") is no evidence either way.
  const english = looksEnglish(tokens);
  const canonical = lexicon.canonicalize(tokens);
  // Without diacritics a stopword and a content word look the same: "vay" is "vậy" or
  // "vay", "tu" is "từ" or "tự", "ve" is "về" or "vé". Such a word counts when it makes
  // a distinctive phrase of our knowledge with a neighbour ("vay vốn", "tự ký", "vé máy").
  const inPhrase = (i: number): boolean =>
    [i - 1, i + 1].some((j) => {
      const other = canonical[j];
      if (other === undefined || lexicon.isStopword(other)) return false;
      const pair = j < i ? `${fold(other)}_${fold(canonical[i]!)}` : `${fold(canonical[i]!)}_${fold(other)}`;
      return stats.idfOf(pair) >= PHRASE_STOPWORD_MIN_IDF && stats.has(pair);
    });
  for (const [i, token] of canonical.entries()) {
    const folded = fold(token);
    if (seen.has(folded) || folded.startsWith("docnum:")) continue;
    if (lexicon.isStopword(token) && (hasDiacritics(token) || !inPhrase(i))) continue;
    if (folded.length < 2 && !/\d/.test(folded)) continue;
    seen.add(folded);
    const alternatives = lexicon
      .expand([token])
      .slice(1)
      .map(fold)
      .filter((a) => !lexicon.isStopword(a));
    const known = stats.has(folded);
    if (english && !alternatives.length && !known) continue;
    // A word our knowledge never uses ("facebook", a name) still counts against an
    // answer, but no more than an ordinary word: alone it should not sink a good match.
    const weight = known ? stats.idfOf(folded) : Math.min(stats.idfOf(folded), UNKNOWN_WORD_WEIGHT);
    terms.push({ token, folded, accented: hasDiacritics(token), alternatives, weight });
  }
  return terms;
}

/** The question's informative words and phrases, weighted by the knowledge's own statistics. */
export function profileQuery(lexicon: Lexicon, stats: CorpusStats, question: string): QueryProfile {
  return { text: question, terms: queryTerms(lexicon, stats, question), phrases: queryPhrases(lexicon, stats, question) };
}

const unitCache = new WeakMap<KnowledgeBase, Map<string, UnitTerms>>();

/** What a unit contains (a card: title, questions and body; a passage: its search text), cached per unit. */
export function unitTermsOf(kb: KnowledgeBase, key: string, meta: ChunkMetadata): UnitTerms {
  let byKey = unitCache.get(kb);
  if (!byKey) unitCache.set(kb, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  const card = meta.kind === "source" ? undefined : kb.cards.find((c) => c.meta.id === meta.docId);
  const text = card ? cardText(card) : meta.searchText;
  const bag = termBag(text, kb.lexicon, false);
  const terms: UnitTerms = {
    titleWords: card ? [...new Set(tokenize(card.meta.title).filter((t) => !kb.lexicon.isStopword(t)).map(fold))] : [],
    text: ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, " ")} `,
    folded: new Set(bag.unigrams),
    bigrams: new Set(bag.bigrams),
    tones: new Set(tokenize(text).map(toneKey)),
  };
  byKey.set(key, terms);
  return terms;
}

/** Share (0..1, idf-weighted) of the question's informative words and phrases found in the unit. */
export function coverage(query: Pick<QueryProfile, "terms" | "phrases">, unit: UnitTerms): number {
  if (!query.terms.length) return 0;
  let total = 0;
  let matched = 0;
  for (const t of query.terms) {
    total += t.weight;
    if (t.accented) {
      // An accented word should match itself; the same letters with other tones are another word.
      if (unit.tones.has(toneKey(t.token))) matched += t.weight;
      else if (unit.folded.has(t.folded)) matched += t.weight * 0.3;
    } else if (unit.folded.has(t.folded)) {
      matched += t.weight;
    } else if (t.alternatives.length) {
      // An abbreviation counts by how much of what it stands for is there:
      // "xkld" is not matched by "lao động" alone.
      const present = t.alternatives.filter((a) => unit.folded.has(a)).length;
      matched += t.weight * (present / t.alternatives.length >= 0.6 ? 1 : 0);
    }
  }
  for (const p of query.phrases) {
    const weight = Math.min(p.weight, MAX_PHRASE_IDF) * PHRASE_WEIGHT;
    total += weight;
    if (unit.bigrams.has(p.bigram)) matched += weight;
  }
  return total ? matched / total : 0;
}

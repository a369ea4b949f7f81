/**
 * What the knowledge's own words say about a question's words: how rare each folded word
 * and word pair is (idf) and which words exist at all (for the spelling fix). Fitted on
 * the chunks when the index is built and saved in its manifest; independent of the
 * embedding model, so coverage and keyword selection work whatever embeddings are plugged in.
 *
 * @example
 * const stats = CorpusStats.fit(chunks, lexicon);
 * stats.idfOf("ky_quy"); // high: few chunks use it
 */
import type { Chunk } from "../knowledge/chunk.ts";
import type { Lexicon } from "../text/lexicon.ts";
import { termBag } from "./features.ts";

export class CorpusStats {
  readonly idf: Map<string, number>;
  readonly docCount: number;
  /** Folded words (letters only) of the knowledge and how many chunks use each. */
  readonly vocabulary: Map<string, number>;
  private readonly unseenIdf: number;

  constructor(idf: Record<string, number> | Map<string, number>, docCount: number, vocabulary: Record<string, number> | Map<string, number>) {
    this.idf = idf instanceof Map ? idf : new Map(Object.entries(idf));
    this.docCount = docCount;
    this.vocabulary = vocabulary instanceof Map ? vocabulary : new Map(Object.entries(vocabulary));
    this.unseenIdf = Math.log(1 + Math.max(1, docCount));
  }

  /** idf of folded unigrams and bigrams over texts (documents, not queries). */
  static fitTexts(texts: string[], lexicon: Lexicon): { idf: Record<string, number>; docCount: number } {
    const df = new Map<string, number>();
    for (const text of texts) {
      const bag = termBag(text, lexicon, false);
      for (const term of new Set([...bag.unigrams, ...bag.bigrams])) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const n = texts.length;
    const idf: Record<string, number> = {};
    for (const [term, count] of df) idf[term] = Math.log(1 + n / count);
    return { idf, docCount: n };
  }

  static fit(chunks: Chunk[], lexicon: Lexicon): CorpusStats {
    const { idf, docCount } = CorpusStats.fitTexts(chunks.map((c) => c.metadata.searchText), lexicon);
    const vocabulary = new Map<string, number>();
    for (const c of chunks) {
      for (const w of new Set(termBag(c.metadata.searchText, lexicon, false).unigrams)) {
        if (/^\p{L}+$/u.test(w)) vocabulary.set(w, (vocabulary.get(w) ?? 0) + 1);
      }
    }
    return new CorpusStats(idf, docCount, vocabulary);
  }

  /** idf of a folded term; terms the knowledge never uses weigh like the rarest. */
  idfOf(term: string): number {
    return this.idf.get(term) ?? this.unseenIdf;
  }

  /** Whether the knowledge uses the term at all. */
  has(term: string): boolean {
    return this.idf.has(term);
  }
}

/**
 * A deterministic lexical embedding that implements LangChain's `Embeddings`, so the
 * HNSWLib vector store (and later any LangChain chain) can use it like a neural one —
 * with no model weights, offline, and the same vector for the same text on every machine.
 *
 * Each text becomes a bag of weighted lexical features (see features.ts), hashed into a
 * fixed number of dimensions with a sign bit (so collisions cancel rather than pile up),
 * weighted by inverse document frequency fitted on the corpus, and L2-normalised.
 *
 * @example
 * const emb = LexicalEmbeddings.fit(corpusTexts, { lexicon });
 * const v = await emb.embedQuery("ky quy di han bao nhieu");
 */
import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import type { Lexicon } from "../text/lexicon.ts";
import { fnv1a, termBag, type TermBag } from "./features.ts";
import { CorpusStats } from "./corpus.ts";

export const EMBEDDING_VERSION = "lexical-v3";

/** Relative weights of the feature families; part of the saved manifest. */
export const FEATURE_WEIGHTS = { unigram: 1.0, bigram: 1.1, tone: 0.45, trigram: 0.18 } as const;

export interface LexicalEmbeddingsParams extends EmbeddingsParams {
  lexicon: Lexicon;
  dims?: number;
  /** Inverse document frequencies of folded unigrams and bigrams (CorpusStats). */
  idf?: Record<string, number> | Map<string, number>;
  /** Number of documents the idf table was fitted on. */
  docCount?: number;
}

export class LexicalEmbeddings extends Embeddings {
  readonly dims: number;
  readonly idf: Map<string, number>;
  readonly docCount: number;
  private readonly lexicon: Lexicon;
  private readonly unseenIdf: number;

  constructor(params: LexicalEmbeddingsParams) {
    super(params);
    this.dims = params.dims ?? 2048;
    this.lexicon = params.lexicon;
    this.idf = params.idf instanceof Map ? params.idf : new Map(Object.entries(params.idf ?? {}));
    this.docCount = params.docCount ?? 0;
    this.unseenIdf = Math.log(1 + Math.max(1, this.docCount));
  }

  /** Fits idf weights on a corpus (documents, not queries). */
  static fit(texts: string[], params: Omit<LexicalEmbeddingsParams, "idf" | "docCount">): LexicalEmbeddings {
    return new LexicalEmbeddings({ ...params, ...CorpusStats.fitTexts(texts, params.lexicon) });
  }

  /** idf of a folded term; terms the corpus never saw weigh like the rarest. */
  idfOf(term: string): number {
    return this.idf.get(term) ?? this.unseenIdf;
  }

  /** Weighted features of a bag; exposed for relevance checks and tests. */
  weights(bag: TermBag): Map<string, number> {
    const counts = new Map<string, number>();
    const count = (feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);
    for (const u of bag.unigrams) count(`u:${u}`);
    for (const b of bag.bigrams) count(`b:${b}`);
    for (const t of bag.tones) count(`t:${t}`);
    for (const g of bag.trigrams) count(`g:${g}`);
    const w = new Map<string, number>();
    for (const [feature, tf] of counts) {
      // Sub-linear term frequency: a word repeated in a long passage should not drown the rest.
      const tfWeight = 1 + Math.log(tf);
      const term = feature.slice(2);
      const family = feature[0];
      const weight =
        family === "u" ? FEATURE_WEIGHTS.unigram * this.idfOf(term)
        : family === "b" ? FEATURE_WEIGHTS.bigram * this.idfOf(term)
        : family === "t" ? FEATURE_WEIGHTS.tone * this.unseenIdf * 0.5
        : FEATURE_WEIGHTS.trigram;
      w.set(feature, tfWeight * weight);
    }
    return w;
  }

  vectorOf(bag: TermBag): number[] {
    const vec = new Float64Array(this.dims);
    for (const [feature, weight] of this.weights(bag)) {
      const h = fnv1a(feature);
      const sign = h & 0x80000000 ? -1 : 1;
      vec[h % this.dims]! += sign * weight;
    }
    let norm = 0;
    for (const x of vec) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return Array.from(vec, (x) => x / norm);
  }

  embedText(text: string, asQuery: boolean): number[] {
    return this.vectorOf(termBag(text, this.lexicon, asQuery));
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((d) => this.embedText(d, false));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return this.embedText(document, true);
  }
}

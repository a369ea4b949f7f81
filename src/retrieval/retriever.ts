/**
 * Hybrid retrieval as a LangChain `BaseRetriever`: a keyword ranker (MiniSearch, BM25-style,
 * over the same folded Vietnamese terms) and the HNSWLib lexical-vector index, fused by
 * reciprocal rank fusion. A card's questions are indexed as their own chunks and fold back
 * into the card, so "ky quy di han bao nhieu" can match a card through a phrasing it lists.
 * Exact document-number matches ("nđ 74", "74/2019/NĐ-CP") get a boost.
 *
 * The offline engine and the optional LLM mode both call this one retriever.
 *
 * @example
 * const retriever = new KnowledgeRetriever(index);
 * const docs = await retriever.invoke("xkld nhat mat bao nhieu tien");
 * docs[0].metadata.doc; // "Luật 69/2020/QH14"
 */
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import { Document } from "@langchain/core/documents";
import type { Chunk, ChunkMetadata } from "../knowledge/chunk.ts";
import type { Card } from "../knowledge/load.ts";
import { fold, oneEditAway } from "../text/normalize.ts";
import { termBag } from "./features.ts";
import { keywordTerms, type KeywordIndex } from "./keyword-index.ts";
import type { KnowledgeIndex } from "./vector-index.ts";

/** One retrieved unit: a card (all its chunks folded together) or a source passage. */
export interface Hit {
  key: string;
  chunk: Chunk;
  /** Fused score (reciprocal rank fusion + boosts); higher is better. */
  score: number;
  /** Best cosine similarity among the unit's chunks (0..1). */
  similarity: number;
  vectorRank?: number;
  keywordRank?: number;
}

export interface RetrieverOptions extends BaseRetrieverInput {
  /** How many units `invoke` returns. */
  k?: number;
  /** Candidates taken from each ranker before fusion. */
  candidates?: number;
}

const RRF_K = 60;
/** Share of chunks above which a term is too common to send to the keyword ranker. */
const MAX_KEYWORD_DF = 0.25;
/** Longer words are never spelling-corrected (English words and names included). */
const MAX_CORRECTABLE_LETTERS = 20;
/** Most terms sent to the keyword ranker, rarest first. */
const MAX_KEYWORD_TERMS = 12;
/** About one rank step at the top of the fused list. */
const DOCNUM_BOOST = 0.01;

/** Cards fold into one unit; source passages stay separate. */
function unitKey(meta: ChunkMetadata): string {
  return meta.kind === "source" ? meta.chunkId : `card:${meta.docId}`;
}

export class KnowledgeRetriever extends BaseRetriever {
  lc_namespace = ["xkld", "retrievers", "knowledge"];
  private readonly index: KnowledgeIndex;
  private readonly keyword: KeywordIndex;
  private readonly k: number;
  private readonly candidates: number;
  /** Card chunk per card id, so a matched question can stand for its card. */
  private readonly cardChunk = new Map<string, Chunk>();
  private readonly docnumCache = new Map<string, Set<string>>();
  private readonly cards: Map<string, Card>;
  /** Folded words of the knowledge with how many chunks use them: the spelling reference. */
  private readonly vocabulary: Map<string, number>;

  constructor(index: KnowledgeIndex, options: RetrieverOptions = {}) {
    super(options);
    this.index = index;
    this.k = options.k ?? 5;
    this.candidates = options.candidates ?? 30;
    this.keyword = index.keyword;
    this.vocabulary = index.vocabulary;
    for (const c of index.chunks) if (c.metadata.kind === "card") this.cardChunk.set(c.metadata.docId, c);
    this.cards = new Map(index.kb.cards.map((c) => [c.meta.id, c]));
  }

  /**
   * Fixes typing slips in unaccented words the knowledge and the dictionary do not know,
   * by the most common known word one edit away: "vay vonn" → "vay von", "dinh huog" →
   * "dinh huong". Accented words, numbers, short words (too ambiguous) and words with
   * no unique fix stay as typed. Both rankers and the answer composer see the result.
   */
  correctQuery(query: string): string {
    const { lexicon } = this.index.kb;
    return query.replace(/\p{L}+/gu, (word) => {
      const lower = word.toLowerCase();
      // Vietnamese syllables are at most 7 letters; a much longer word is not a slip of one
      // (and its candidates grow with the square of its length).
      if (lower.length < 3 || lower.length > MAX_CORRECTABLE_LETTERS || fold(lower) !== lower || this.vocabulary.has(lower) || lexicon.knows(lower)) return word;
      let best: string | undefined;
      let bestCount = 0;
      for (const candidate of oneEditAway(lower)) {
        const count = this.vocabulary.get(candidate) ?? 0;
        if (count > bestCount) [best, bestCount] = [candidate, count];
      }
      return best ?? word;
    });
  }

  /** Ranked units with their scores; what the answer composer uses. */
  async search(query: string, k = this.k): Promise<Hit[]> {
    const { embeddings, store, byChunkId } = this.index;
    const total = this.index.chunks.length;
    if (!query.trim() || total === 0) return [];
    const n = Math.min(this.candidates, total);
    query = this.correctQuery(query);

    const vector = embeddings.embedText(query, true);
    const vectorHits = await store.similaritySearchVectorWithScore(vector, n);
    const keywordHits = this.keyword.search(this.keywordQuery(query), { tokenize: (t) => t.split(" ") }).slice(0, n);

    const units = new Map<string, Hit>();
    const unitFor = (chunk: Chunk): Hit => {
      const key = unitKey(chunk.metadata);
      let hit = units.get(key);
      if (!hit) {
        const shown = chunk.metadata.kind === "source" ? chunk : (this.cardChunk.get(chunk.metadata.docId) ?? chunk);
        hit = { key, chunk: shown, score: 0, similarity: 0 };
        units.set(key, hit);
      }
      return hit;
    };

    // Rank per unit, not per chunk: a card's best chunk decides its rank in each list.
    let rank = 0;
    const seenVector = new Set<string>();
    for (const [doc, distance] of vectorHits) {
      const chunk = byChunkId.get((doc.metadata as ChunkMetadata).chunkId);
      if (!chunk) continue;
      const hit = unitFor(chunk);
      hit.similarity = Math.max(hit.similarity, 1 - distance);
      if (seenVector.has(hit.key)) continue;
      seenVector.add(hit.key);
      hit.vectorRank = ++rank;
      hit.score += 1 / (RRF_K + rank);
    }
    rank = 0;
    const seenKeyword = new Set<string>();
    for (const result of keywordHits) {
      const chunk = byChunkId.get(String(result.id));
      if (!chunk) continue;
      const hit = unitFor(chunk);
      if (seenKeyword.has(hit.key)) continue;
      seenKeyword.add(hit.key);
      hit.keywordRank = ++rank;
      hit.score += 1 / (RRF_K + rank);
    }

    // A document number typed in the query ("nđ 74") favours units that cite that document.
    const queryDocnums = this.docnumsIn(query);
    if (queryDocnums.length) {
      for (const hit of units.values()) {
        const cited = this.citedDocnums(hit.chunk);
        if (queryDocnums.some((d) => cited.has(d))) hit.score += DOCNUM_BOOST;
      }
    }

    return [...units.values()].sort((a, b) => b.score - a.score).slice(0, k);
  }

  /**
   * The keyword query: the query's terms without stopwords and very common terms. A word
   * in more than MAX_KEYWORD_DF of the chunks ("đi", "người") barely moves BM25 but makes
   * it score most of the corpus; the vector side still reads it.
   * This keeps keyword search cost close to the number of chunks that really match.
   */
  keywordQuery(query: string): string {
    const { idf } = this.index.embeddings;
    const common = Math.log(1 + 1 / MAX_KEYWORD_DF);
    const { lexicon } = this.index.kb;
    const terms = [...new Set(keywordTerms(query, lexicon, true))].filter(
      (t) => idf.has(t) && idf.get(t)! >= common && !(lexicon.isStopword(t) && !t.includes("_")),
    );
    // The rarest terms decide the ranking; a long message's many common ones only add work.
    return terms
      .sort((a, b) => idf.get(b)! - idf.get(a)!)
      .slice(0, MAX_KEYWORD_TERMS)
      .join(" ");
  }

  /** Document-number keys typed in a query ("nđ 74" → ["docnum:74"]). */
  docnumsIn(query: string): string[] {
    return termBag(query, this.index.kb.lexicon, true).unigrams.filter((t) => t.startsWith("docnum:"));
  }

  /** Document-number keys of the documents a unit cites (a card's sources, a passage's document). */
  citedDocnums(chunk: Chunk): Set<string> {
    const key = chunk.metadata.docId;
    let set = this.docnumCache.get(key);
    if (!set) {
      const card = chunk.metadata.kind === "source" ? undefined : this.cards.get(key);
      const docs = card ? card.meta.sources.map((s) => s.doc).join(" ") : chunk.metadata.doc;
      set = new Set(termBag(docs, this.index.kb.lexicon, false).unigrams.filter((t) => t.startsWith("docnum:")));
      this.docnumCache.set(key, set);
    }
    return set;
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    const hits = await this.search(query);
    return hits.map(
      (h) =>
        new Document({
          pageContent: h.chunk.pageContent,
          metadata: { ...h.chunk.metadata, score: h.score, similarity: h.similarity },
        }),
    );
  }
}

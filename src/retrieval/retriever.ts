/**
 * Hybrid retrieval as a LangChain `BaseRetriever`: a keyword ranker (MiniSearch, BM25-style,
 * over the same folded Vietnamese terms) and a vector store, fused by reciprocal rank
 * fusion, then re-ranked by how much of the question each unit covers. A card's questions
 * are indexed as their own chunks and fold back into the card, so "ky quy di han bao
 * nhieu" can match a card through a phrasing it lists. Exact document-number matches
 * ("nđ 74", "74/2019/NĐ-CP") get a boost.
 *
 * It depends on LangChain's interfaces only — any `EmbeddingsInterface` and
 * `VectorStoreInterface` plug in (the index builds LexicalEmbeddings + HNSWLib) — plus the
 * keyword index and the corpus statistics. The offline engine and the optional LLM mode
 * both call this one retriever.
 *
 * @example
 * const retriever = KnowledgeRetriever.fromIndex(index);
 * const docs = await retriever.invoke("xkld nhat mat bao nhieu tien");
 * docs[0].metadata.doc;      // "Luật 69/2020/QH14"
 * docs[0].metadata.coverage; // 0.7
 */
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import { Document } from "@langchain/core/documents";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { VectorStoreInterface } from "@langchain/core/vectorstores";
import type { Chunk, ChunkMetadata } from "../knowledge/chunk.ts";
import type { Card, KnowledgeBase } from "../knowledge/load.ts";
import { placesIn } from "../knowledge/places.ts";
import type { Topic } from "../knowledge/schema.ts";
import { fold, oneEditAway } from "../text/normalize.ts";
import type { CorpusStats } from "./corpus.ts";
import { termBag } from "./features.ts";
import { keywordTerms, type KeywordIndex } from "./keyword-index.ts";
import { coverage, profileQuery, unitTermsOf, type QueryProfile } from "./relevance.ts";
import type { KnowledgeIndex } from "./vector-index.ts";

/** One retrieved unit: a card (all its chunks folded together) or a source passage. */
export interface Hit {
  key: string;
  chunk: Chunk;
  /** Fused score (reciprocal rank fusion + boosts); higher is better. */
  score: number;
  vectorRank?: number;
  keywordRank?: number;
}

/** What a ranked document carries besides its chunk's metadata. */
export interface UnitMetadata extends ChunkMetadata {
  /** "card:<id>" for a card, the chunk id for a passage. */
  key: string;
  /** Fused retrieval score. */
  score: number;
  /** Share of the question's informative words the unit contains (0..1). */
  coverage: number;
  /** The unit is a card on one of the topics the question's intent is about. */
  onTopic: boolean;
  /**
   * For a card: how close the question is to the card's own title and questions (the best
   * cosine of their embeddings, 0..1) — the ways people ask what the card answers.
   */
  questionSimilarity?: number;
}

/** A question and its units, best first, as the composer receives them. */
export interface RankedQuery {
  query: QueryProfile;
  documents: Array<Document<UnitMetadata>>;
}

export interface RankOptions {
  /** Topics of the question's intent: cards on them rank a little higher. */
  topics?: readonly Topic[];
  /** Topics of subjects the question never mentions: cards on them lose that edge. */
  unaskedTopics?: readonly Topic[];
}

/** Something that ranks units for a question: the retriever, or a fake in tests. */
export interface UnitRanker {
  rank(question: string, options?: RankOptions): Promise<RankedQuery>;
}

export interface KnowledgeRetrieverFields extends BaseRetrieverInput {
  kb: KnowledgeBase;
  chunks: Chunk[];
  embeddings: EmbeddingsInterface;
  vectorStore: VectorStoreInterface;
  keyword: KeywordIndex;
  stats: CorpusStats;
  /** How many units `invoke` returns. */
  k?: number;
  /** Candidates taken from each ranker before fusion. */
  candidates?: number;
}

const RRF_K = 60;

/** The vector scaled to length 1, in 32 bits. */
function unitVector(v: number[]): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}
/** Share of chunks above which a term is too common to send to the keyword ranker. */
const MAX_KEYWORD_DF = 0.25;
/** Longer words are never spelling-corrected (English words and names included). */
const MAX_CORRECTABLE_LETTERS = 20;
/** Most terms sent to the keyword ranker, rarest first. */
const MAX_KEYWORD_TERMS = 12;
/** About one rank step at the top of the fused list. */
const DOCNUM_BOOST = 0.01;
/** Units re-ranked for a question. */
const RANK_DEPTH = 8;
/** How much coverage moves a unit in the fused order. */
const COVERAGE_RANK_WEIGHT = 0.5;
/** How much the share of a card's title found in the question moves the card. */
const TITLE_RANK_WEIGHT = 0.15;
const TOPIC_BOOST = 1.1;
/** A unit that does not mention the place the question names. */
const PLACE_MISMATCH_PENALTY = 0.8;
/** A card about another destination market than the one the question names. */
const MARKET_MISMATCH_PENALTY = 0.8;
/** Superseded or historical knowledge ranks lower unless the question names it. */
const OUTDATED_PENALTY = 0.75;

/** Cards fold into one unit; source passages stay separate. */
function unitKey(meta: ChunkMetadata): string {
  return meta.kind === "source" ? meta.chunkId : `card:${meta.docId}`;
}

export class KnowledgeRetriever extends BaseRetriever implements UnitRanker {
  lc_namespace = ["xkld", "retrievers", "knowledge"];
  private readonly kb: KnowledgeBase;
  private readonly embeddings: EmbeddingsInterface;
  private readonly vectorStore: VectorStoreInterface;
  private readonly keyword: KeywordIndex;
  private readonly stats: CorpusStats;
  private readonly byChunkId: Map<string, Chunk>;
  private readonly total: number;
  private readonly k: number;
  private readonly candidates: number;
  /** Card chunk per card id, so a matched question can stand for its card. */
  private readonly cardChunk = new Map<string, Chunk>();
  private readonly docnumCache = new Map<string, Set<string>>();
  private readonly cards: Map<string, Card>;

  constructor(fields: KnowledgeRetrieverFields) {
    super(fields);
    this.kb = fields.kb;
    this.embeddings = fields.embeddings;
    this.vectorStore = fields.vectorStore;
    this.keyword = fields.keyword;
    this.stats = fields.stats;
    this.k = fields.k ?? 5;
    this.candidates = fields.candidates ?? 30;
    this.total = fields.chunks.length;
    this.byChunkId = new Map(fields.chunks.map((c) => [c.metadata.chunkId, c]));
    for (const c of fields.chunks) if (c.metadata.kind === "card") this.cardChunk.set(c.metadata.docId, c);
    this.cards = new Map(fields.kb.cards.map((c) => [c.meta.id, c]));
  }

  /** The retriever over a built or loaded index (its embeddings, vector store, keyword index, statistics). */
  static fromIndex(index: KnowledgeIndex, options: Pick<KnowledgeRetrieverFields, "k" | "candidates"> = {}): KnowledgeRetriever {
    return new KnowledgeRetriever({
      kb: index.kb, chunks: index.chunks, embeddings: index.embeddings, vectorStore: index.store, keyword: index.keyword, stats: index.stats, ...options,
    });
  }

  /**
   * Fixes typing slips in unaccented words the knowledge and the dictionary do not know,
   * by the most common known word one edit away: "vay vonn" → "vay von", "dinh huog" →
   * "dinh huong". Accented words, numbers, short words (too ambiguous) and words with
   * no unique fix stay as typed. Both rankers and the answer composer see the result.
   */
  correctQuery(query: string): string {
    const { lexicon } = this.kb;
    const { vocabulary } = this.stats;
    return query.replace(/\p{L}+/gu, (word) => {
      const lower = word.toLowerCase();
      // Vietnamese syllables are at most 7 letters; a much longer word is not a slip of one
      // (and its candidates grow with the square of its length).
      if (lower.length < 3 || lower.length > MAX_CORRECTABLE_LETTERS || fold(lower) !== lower || vocabulary.has(lower) || lexicon.knows(lower)) return word;
      let best: string | undefined;
      let bestCount = 0;
      for (const candidate of oneEditAway(lower)) {
        const count = vocabulary.get(candidate) ?? 0;
        if (count > bestCount) [best, bestCount] = [candidate, count];
      }
      return best ?? word;
    });
  }

  /** Units by fused keyword and vector rank (no coverage re-ranking): what knowledge:check and the baseline compare. */
  async search(query: string, k = this.k): Promise<Hit[]> {
    if (!query.trim() || this.total === 0) return [];
    const corrected = this.correctQuery(query);
    return this.searchWith(corrected, await this.embeddings.embedQuery(corrected), k);
  }

  /** `search` for a query already spelling-corrected and embedded. */
  private async searchWith(query: string, vector: number[], k: number): Promise<Hit[]> {
    const n = Math.min(this.candidates, this.total);
    const vectorHits = await this.vectorStore.similaritySearchVectorWithScore(vector, n);
    const keywordHits = this.keyword.search(this.keywordQuery(query), { tokenize: (t) => t.split(" ") }).slice(0, n);

    const units = new Map<string, Hit>();
    const unitFor = (chunk: Chunk): Hit => {
      const key = unitKey(chunk.metadata);
      let hit = units.get(key);
      if (!hit) {
        const shown = chunk.metadata.kind === "source" ? chunk : (this.cardChunk.get(chunk.metadata.docId) ?? chunk);
        hit = { key, chunk: shown, score: 0 };
        units.set(key, hit);
      }
      return hit;
    };

    // Rank per unit, not per chunk: a card's best chunk decides its rank in each list. Only
    // the order is used, so it does not matter whether a store scores by distance or similarity.
    let rank = 0;
    const seenVector = new Set<string>();
    for (const [doc] of vectorHits) {
      const chunk = this.byChunkId.get((doc.metadata as ChunkMetadata).chunkId);
      if (!chunk) continue;
      const hit = unitFor(chunk);
      if (seenVector.has(hit.key)) continue;
      seenVector.add(hit.key);
      hit.vectorRank = ++rank;
      hit.score += 1 / (RRF_K + rank);
    }
    rank = 0;
    const seenKeyword = new Set<string>();
    for (const result of keywordHits) {
      const chunk = this.byChunkId.get(String(result.id));
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
   * The units for a question, best first, re-ranked: coverage nudges the fused order, a
   * card whose title asks what the question asks moves up, cards on the intent's topics a
   * little, a unit about another place than the one named moves down, and replaced rules
   * drop back unless the question names them.
   */
  async rank(question: string, options: RankOptions = {}): Promise<RankedQuery> {
    const corrected = this.correctQuery(question);
    // One embedding of the question serves the vector search and the question similarity.
    const vector = corrected.trim() && this.total > 0 ? await this.embeddings.embedQuery(corrected) : undefined;
    const ranked = this.rerank(corrected, vector ? await this.searchWith(corrected, vector, RANK_DEPTH) : [], options);
    const best = ranked.documents[0];
    if (best && vector && best.metadata.kind !== "source") best.metadata.questionSimilarity = await this.questionSimilarity(vector, best.metadata.docId);
    return ranked;
  }

  /** Each card's title and questions, embedded once and scaled to unit length (32-bit: they are only compared). */
  private readonly askedWays = new Map<string, Promise<Float32Array[]>>();

  /** The best cosine between the question and a card's title and questions. */
  private async questionSimilarity(questionVector: number[], cardId: string): Promise<number | undefined> {
    const card = this.cards.get(cardId);
    if (!card) return undefined;
    let ways = this.askedWays.get(cardId);
    if (!ways) {
      ways = this.embeddings.embedDocuments([card.meta.title, ...card.meta.questions]).then((vs) => vs.map(unitVector));
      this.askedWays.set(cardId, ways);
    }
    const vector = unitVector(questionVector);
    const vectors = await ways;
    let best = -1;
    for (const v of vectors) {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i]! * vector[i]!;
      if (dot > best) best = dot;
    }
    return best;
  }

  /** The given hits scored for a question, in the order given (the evaluation's baseline). */
  scoreInOrder(question: string, hits: Hit[], options: RankOptions = {}): RankedQuery {
    const query = profileQuery(this.kb.lexicon, this.stats, question);
    return { query, documents: hits.map((hit) => this.toDocument(hit, query, options)) };
  }

  private rerank(question: string, hits: Hit[], options: RankOptions): RankedQuery {
    const query = profileQuery(this.kb.lexicon, this.stats, question);
    const docnums = this.docnumsIn(question);
    const places = placesIn(this.kb, question);
    const market = this.kb.markets.destination(question)?.market;
    const asked = new Set(termBag(question, this.kb.lexicon, true).unigrams);
    const scored = hits.map((hit) => {
      const document = this.toDocument(hit, query, options);
      const meta = document.metadata;
      // Coverage nudges the fused order; it does not overturn a clear leader.
      let rankScore = hit.score * (1 + COVERAGE_RANK_WEIGHT * meta.coverage);
      // A card whose title asks what the question asks beats one that merely mentions it:
      // "ký quỹ EPS bao nhiêu" is the deposit card, not "không đủ tiền ký quỹ thì vay".
      const unit = unitTermsOf(this.kb, hit.key, hit.chunk.metadata);
      if (unit.titleWords.length) rankScore *= 1 + TITLE_RANK_WEIGHT * (unit.titleWords.filter((w) => asked.has(w)).length / unit.titleWords.length);
      if (meta.onTopic) rankScore *= TOPIC_BOOST;
      // …and a card that is also about a subject the question never mentions (a loan card
      // for "ký quỹ EPS bao nhiêu") loses that edge.
      if (this.onTopics(hit, options.unaskedTopics)) rankScore /= TOPIC_BOOST;
      // A question about Long Biên is not answered by a passage about Lạng Sơn.
      if (places.length && places.some((p) => !unit.text.includes(` ${p} `))) rankScore *= PLACE_MISMATCH_PENALTY;
      // …nor a question about Korea by a card about Japan.
      if (market && this.aboutOtherMarket(hit, market)) rankScore *= MARKET_MISMATCH_PENALTY;
      // Replaced rules drop back unless the question names them; historical client
      // documents (a district plan) still answer, with a note.
      if (meta.status === "superseded") {
        const cited = this.citedDocnums(hit.chunk);
        if (!docnums.some((d) => cited.has(d))) rankScore *= OUTDATED_PENALTY;
      }
      return { document, rankScore };
    });
    scored.sort((a, b) => b.rankScore - a.rankScore);
    return { query, documents: scored.map((s) => s.document) };
  }

  private toDocument(hit: Hit, query: QueryProfile, options: RankOptions): Document<UnitMetadata> {
    return new Document<UnitMetadata>({
      pageContent: hit.chunk.pageContent,
      metadata: {
        ...hit.chunk.metadata,
        key: hit.key,
        score: hit.score,
        coverage: coverage(query, unitTermsOf(this.kb, hit.key, hit.chunk.metadata)),
        onTopic: this.onTopics(hit, options.topics),
      },
    });
  }

  /** Whether a unit is a card on some market's topics but not on this market's. */
  private aboutOtherMarket(hit: Hit, market: string): boolean {
    const meta = hit.chunk.metadata;
    if (meta.kind === "source") return false;
    const topics = this.cards.get(meta.docId)?.meta.topics ?? [];
    const own = this.kb.markets.topicsOf(market);
    return topics.some((t) => this.kb.markets.marketTopics.has(t)) && !topics.some((t) => own.includes(t));
  }

  /** Whether a unit is a card on one of these topics. */
  private onTopics(hit: Hit, topics: readonly Topic[] | undefined): boolean {
    const meta = hit.chunk.metadata;
    if (!topics?.length || meta.kind === "source") return false;
    return this.cards.get(meta.docId)?.meta.topics.some((t) => topics.includes(t)) ?? false;
  }

  /**
   * The keyword query: the query's terms without stopwords and very common terms. A word
   * in more than MAX_KEYWORD_DF of the chunks ("đi", "người") barely moves BM25 but makes
   * it score most of the corpus; the vector side still reads it.
   * This keeps keyword search cost close to the number of chunks that really match.
   */
  keywordQuery(query: string): string {
    const { idf } = this.stats;
    const common = Math.log(1 + 1 / MAX_KEYWORD_DF);
    const { lexicon } = this.kb;
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
    return termBag(query, this.kb.lexicon, true).unigrams.filter((t) => t.startsWith("docnum:"));
  }

  /** Document-number keys of the documents a unit cites (a card's sources, a passage's document). */
  citedDocnums(chunk: Chunk): Set<string> {
    const key = chunk.metadata.docId;
    let set = this.docnumCache.get(key);
    if (!set) {
      const card = chunk.metadata.kind === "source" ? undefined : this.cards.get(key);
      const docs = card ? card.meta.sources.map((s) => s.doc).join(" ") : chunk.metadata.doc;
      set = new Set(termBag(docs, this.kb.lexicon, false).unigrams.filter((t) => t.startsWith("docnum:")));
      this.docnumCache.set(key, set);
    }
    return set;
  }

  /** LangChain's entry point: the ranked units as Documents with their scores and coverage. */
  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return (await this.rank(query)).documents.slice(0, this.k);
  }
}

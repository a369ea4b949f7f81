/**
 * Answering without a language model: retrieve, check that the best unit really covers
 * the question, then compose a short answer from our own text — a card's short answer and
 * its most relevant detail lines, or the best sentences of a source passage — followed by
 * citations. When nothing is relevant enough, say so plainly; never answer from an
 * irrelevant passage.
 */
import { cardText, type Card } from "../knowledge/load.ts";
import { placesIn } from "../knowledge/places.ts";
import { cardHedge, citationsOfChunk, citationTexts, toCitations } from "../knowledge/cite.ts";
import type { Topic } from "../knowledge/schema.ts";
import { fold, splitSentences, tokenize, toneKey } from "../text/normalize.ts";
import { looksEnglish } from "../text/lexicon.ts";
import { hasDiacritics, termBag } from "../retrieval/features.ts";
import type { Hit, KnowledgeRetriever } from "../retrieval/retriever.ts";
import type { KnowledgeIndex } from "../retrieval/vector-index.ts";
import { mentionedSubjects, routingVocabulary } from "./intent.ts";

/** The knowledge topics of an intent: a skill's, or one the routing vocabulary gives. */
export type TopicsOf = (intent: Intent) => readonly Topic[];
import { clampText, fill, formatDate } from "../text/wording.ts";
import { type Replies } from "./replies.ts";
import type { Citation, Intent, Reply } from "../contract.ts";

/** Share of the question's informative words a unit must contain to answer from it. */
export const MIN_COVERAGE = 0.45;
/** Coverage above which the answer is marked confident. */
export const CONFIDENT_COVERAGE = 0.65;
/** Below MIN_COVERAGE but at least this: ask which of the nearest questions was meant. */
export const CLARIFY_COVERAGE = 0.25;
/**
 * Longest answer text, before the channel adds citations. With at most MAX_CITATIONS
 * citation lines the whole message stays under 1,500 characters, readable on a phone.
 */
export const MAX_ANSWER_CHARS = 1100;
export const MAX_CITATIONS = 3;
/** Weight of an adjacent word pair relative to its words. */
const PHRASE_WEIGHT = 0.3;
/** Pairs the corpus never saw would otherwise dominate the total. */
const MAX_PHRASE_IDF = 3;
/** How much the share of a card's title found in the question moves the card. */
const TITLE_RANK_WEIGHT = 0.15;
/** How much coverage moves a unit in the fused order. */
const COVERAGE_RANK_WEIGHT = 0.5;
/** A unit that does not mention the place the question names. */
const PLACE_MISMATCH_PENALTY = 0.8;
/** How rare a phrase must be for an unaccented stopword in it to count as a word. */
const PHRASE_STOPWORD_MIN_IDF = 3;
/** Weight of a question word the knowledge never uses (about the idf of a common topic word). */
const UNKNOWN_WORD_WEIGHT = 3;
const INTENT_TOPIC_BOOST = 1.1;
const INTENT_COVERAGE_RELIEF = 0.1;
/** Superseded or historical knowledge ranks lower unless the question names it. */
const OUTDATED_PENALTY = 0.75;

interface UnitTerms {
  /** Informative folded words of a card's title (empty for passages). */
  titleWords: string[];
  /** Folded words separated by single spaces, padded: for whole-name matches (" long bien "). */
  text: string;
  folded: Set<string>;
  bigrams: Set<string>;
  tones: Set<string>;
}

interface QueryTerm {
  token: string;
  folded: string;
  accented: boolean;
  /** Folded words the dictionary expands this token to ("xkld" → xuat, khau, lao, dong…). */
  alternatives: string[];
  weight: number;
}

type Phrase = { bigram: string; weight: number };

export interface Assessment {
  hit: Hit;
  coverage: number;
}

export class Answerer {
  private readonly unitTermsCache = new Map<string, UnitTerms>();
  private readonly cards: Map<string, Card>;
  /** Subjects the routing vocabulary tells apart ("loan", "deposit"). */
  private readonly subjects: string[];

  constructor(
    private readonly index: KnowledgeIndex,
    private readonly retriever: KnowledgeRetriever,
    private readonly replies: Replies,
    private readonly topicsOf: TopicsOf = () => [],
  ) {
    this.cards = new Map(index.kb.cards.map((c) => [c.meta.id, c]));
    this.subjects = Object.keys(routingVocabulary(index.kb).subjects);
  }

  /**
   * Adjacent word pairs of the question (folded) where at least one word is informative:
   * "dang ky" keeps its pair even though "dang" alone may be the stopword "đang".
   */
  queryPhrases(question: string): Phrase[] {
    return this.profile(question).phrases;
  }

  /** Informative words of the question, weighted by how rare they are in our knowledge. */
  queryTerms(question: string): QueryTerm[] {
    return this.profile(question).terms;
  }

  /**
   * Terms and phrases of a question, computed once: ranking (assess) and composing read
   * them for the same message. One entry is enough — they are asked for back to back.
   */
  private profile(question: string): { terms: QueryTerm[]; phrases: Phrase[] } {
    if (this.lastProfile?.question !== question) {
      this.lastProfile = { question, terms: this.computeTerms(question), phrases: this.computePhrases(question) };
    }
    return this.lastProfile;
  }
  private lastProfile?: { question: string; terms: QueryTerm[]; phrases: Phrase[] };

  private computePhrases(question: string): Phrase[] {
    const { lexicon } = this.index.kb;
    const tokens = lexicon.canonicalize(tokenize(question)).filter((t) => !t.startsWith("docnum:"));
    const out: Phrase[] = [];
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = tokens[i]!;
      const b = tokens[i + 1]!;
      if (lexicon.isStopword(a) && lexicon.isStopword(b)) continue;
      const bigram = `${fold(a)}_${fold(b)}`;
      // Only phrases our knowledge uses somewhere; an accidental pair ("han bao") says nothing.
      const weight = this.index.embeddings.idf.get(bigram);
      if (weight !== undefined) out.push({ bigram, weight });
    }
    return out;
  }

  private computeTerms(question: string): QueryTerm[] {
    const { lexicon } = this.index.kb;
    const { embeddings } = this.index;
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
        return embeddings.idfOf(pair) >= PHRASE_STOPWORD_MIN_IDF && embeddings.idf.has(pair);
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
      const known = embeddings.idf.has(folded);
      if (english && !alternatives.length && !known) continue;
      // A word our knowledge never uses ("facebook", a name) still counts against an
      // answer, but no more than an ordinary word: alone it should not sink a good match.
      const weight = known ? embeddings.idfOf(folded) : Math.min(embeddings.idfOf(folded), UNKNOWN_WORD_WEIGHT);
      terms.push({ token, folded, accented: hasDiacritics(token), alternatives, weight });
    }
    return terms;
  }

  private unitTerms(hit: Hit): UnitTerms {
    const cached = this.unitTermsCache.get(hit.key);
    if (cached) return cached;
    const meta = hit.chunk.metadata;
    const card = meta.kind === "source" ? undefined : this.cards.get(meta.docId);
    const text = card ? cardText(card) : meta.searchText;
    const bag = termBag(text, this.index.kb.lexicon, false);
    const { lexicon } = this.index.kb;
    const terms = {
      titleWords: card ? [...new Set(tokenize(card.meta.title).filter((t) => !lexicon.isStopword(t)).map(fold))] : [],
      text: ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, " ")} `,
      folded: new Set(bag.unigrams),
      bigrams: new Set(bag.bigrams),
      tones: new Set(tokenize(text).map(toneKey)),
    };
    this.unitTermsCache.set(hit.key, terms);
    return terms;
  }

  /**
   * Share (0..1, idf-weighted) of the question's informative words found in the unit.
   * Adjacent word pairs count too ("đăng ký", "ký quỹ"), so a passage that has the phrase
   * beats one that merely has both syllables somewhere.
   */
  coverage(terms: QueryTerm[], phrases: Phrase[], hit: Hit): number {
    if (!terms.length) return 0;
    const unit = this.unitTerms(hit);
    let total = 0;
    let matched = 0;
    for (const t of terms) {
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
    for (const p of phrases) {
      const weight = Math.min(p.weight, MAX_PHRASE_IDF) * PHRASE_WEIGHT;
      total += weight;
      if (unit.bigrams.has(p.bigram)) matched += weight;
    }
    return total ? matched / total : 0;
  }

  /** Retrieves and re-ranks: coverage decides among close candidates, outdated knowledge drops back. */
  /** Whether a unit is a card on one of the topics of `intent`. */
  private onIntentTopic(hit: Hit, intent: Intent): boolean {
    const topics = this.topicsOf(intent);
    const meta = hit.chunk.metadata;
    if (!topics.length || meta.kind === "source") return false;
    return this.cards.get(meta.docId)?.meta.topics.some((t) => topics.includes(t)) ?? false;
  }

  /** Whether a unit is a card about a loan or a deposit when the question mentions only the other. */
  private onUnaskedSubject(hit: Hit, subjects: Set<string>): boolean {
    if (subjects.size !== 1 || hit.chunk.metadata.kind === "source") return false;
    return this.subjects.some((unasked) => !subjects.has(unasked) && this.onIntentTopic(hit, unasked));
  }

  /** Coverage a unit needs to answer: a little less when it is on the intent's topic. */
  private neededCoverage(a: Assessment, intent: Intent): number {
    return this.onIntentTopic(a.hit, intent) ? MIN_COVERAGE - INTENT_COVERAGE_RELIEF : MIN_COVERAGE;
  }

  async assess(question: string, intent: Intent = "qa"): Promise<Assessment[]> {
    const hits = await this.retriever.search(question, 8);
    const terms = this.queryTerms(question);
    const phrases = this.queryPhrases(question);
    const docnums = this.retriever.docnumsIn(question);
    const places = placesIn(this.index.kb, question);
    const asked = new Set(termBag(question, this.index.kb.lexicon, true).unigrams);
    const subjects = mentionedSubjects(this.index.kb, question);
    const assessed = hits.map((hit) => {
      const coverage = this.coverage(terms, phrases, hit);
      const meta = hit.chunk.metadata;
      // Coverage nudges the fused order; it does not overturn a clear leader.
      let rankScore = hit.score * (1 + COVERAGE_RANK_WEIGHT * coverage);
      // A card whose title asks what the question asks beats one that merely mentions it:
      // "ký quỹ EPS bao nhiêu" is the deposit card, not "không đủ tiền ký quỹ thì vay".
      const { titleWords } = this.unitTerms(hit);
      if (titleWords.length) rankScore *= 1 + TITLE_RANK_WEIGHT * (titleWords.filter((w) => asked.has(w)).length / titleWords.length);
      if (this.onIntentTopic(hit, intent)) rankScore *= INTENT_TOPIC_BOOST;
      // …and a card that is also about a subject the question never mentions (a loan card
      // for "ký quỹ EPS bao nhiêu") loses that edge.
      if (this.onUnaskedSubject(hit, subjects)) rankScore /= INTENT_TOPIC_BOOST;
      // A question about Long Biên is not answered by a passage about Lạng Sơn.
      if (places.length) {
        const { text } = this.unitTerms(hit);
        if (places.some((p) => !text.includes(` ${p} `))) rankScore *= PLACE_MISMATCH_PENALTY;
      }
      // Replaced rules drop back unless the question names them; historical client
      // documents (a district plan) still answer, with a note.
      if (meta.status === "superseded") {
        const cited = this.retriever.citedDocnums(hit.chunk);
        const named = docnums.some((d) => cited.has(d));
        if (!named) rankScore *= OUTDATED_PENALTY;
      }
      return { hit, coverage, rankScore };
    });
    assessed.sort((a, b) => b.rankScore - a.rankScore);
    return assessed.map(({ hit, coverage }) => ({ hit, coverage }));
  }

  citationsOf(hit: Hit): Citation[] {
    return citationsOfChunk(this.index.kb, hit.chunk.metadata);
  }

  /**
   * Best sentences of a passage (or best lines of a list) for this question, in order. Words count by
   * their weight; a phrase of the question found in the sentence ("thu hồi giấy phép")
   * counts on top, so the line about exactly that wins over one that shares single words.
   */
  bestSentences(text: string | string[], terms: QueryTerm[], max: number, phrases: Phrase[] = []): string[] {
    const wantsNumber = /\b(bao nhieu|may|muc|toi da|bao lau|how much|how many)\b/.test(fold(terms.map((t) => t.token).join(" ")));
    // A passage is cut into sentences; a card's detail lines are already the units to pick.
    const sentences = typeof text === "string" ? splitSentences(text) : text;
    const scored = sentences.map((s, i) => {
      const bag = termBag(s, this.index.kb.lexicon, false);
      const words = new Set(bag.unigrams);
      const pairs = new Set(bag.bigrams);
      let score = 0;
      for (const t of terms) if (words.has(t.folded) || t.alternatives.some((a) => words.has(a))) score += t.weight;
      for (const p of phrases) if (pairs.has(p.bigram)) score += Math.min(p.weight, MAX_PHRASE_IDF);
      if (wantsNumber && /\d/.test(s)) score *= 1.3;
      return { s, i, score };
    });
    const chosen = scored
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, max)
      .sort((a, b) => a.i - b.i)
      .map((x) => x.s);
    return chosen.length ? chosen : sentences.slice(0, 1);
  }

  private composeCard(card: Card, terms: QueryTerm[], phrases: Phrase[]): string[] {
    const lines = [card.shortAnswer];
    const details = card.details.length ? this.bestSentences(card.details, terms, 2, phrases) : [];
    for (const d of details) lines.push(`• ${d}`);
    const hedge = cardHedge(this.index.kb, card);
    if (hedge) lines.push(hedge);
    return lines;
  }

  /** Retrieves, checks coverage and composes; `intent` is what the rules decided (default "qa"). */
  async answer(question: string, intent: Intent = "qa"): Promise<Reply> {
    const corrected = this.retriever.correctQuery(question);
    return this.compose(corrected, await this.assess(corrected, intent), intent);
  }

  /** The ranked units `answer` composes from, best first. */
  async rank(question: string, intent: Intent = "qa"): Promise<Assessment[]> {
    return this.assess(this.retriever.correctQuery(question), intent);
  }

  /** Coverage of each hit, in the order given (used by the evaluation's baseline). */
  assessInOrder(question: string, hits: Hit[]): Assessment[] {
    const terms = this.queryTerms(question);
    const phrases = this.queryPhrases(question);
    return hits.map((hit) => ({ hit, coverage: this.coverage(terms, phrases, hit) }));
  }

  /** The first question a card lists: phrased the way people ask, and retrieves that card. */
  private followUp(hit: Hit): string | undefined {
    const meta = hit.chunk.metadata;
    if (meta.kind === "source") return undefined;
    return this.cards.get(meta.docId)?.meta.questions[0] ?? meta.title;
  }

  /** Composes the reply from ranked, assessed units (best first). */
  compose(question: string, assessed: Assessment[], intent: Intent = "qa"): Reply {
    const best = assessed[0];
    const terms = this.queryTerms(question);
    const phrases = this.queryPhrases(question);
    if (!best || best.coverage < this.neededCoverage(best, intent)) {
      // Close but not close enough: offer the nearest questions we can answer instead of guessing.
      const options = assessed
        .filter((a) => a.coverage >= CLARIFY_COVERAGE)
        .map((a) => this.followUp(a.hit))
        .filter((q, i, all): q is string => !!q && all.indexOf(q) === i)
        .slice(0, 3);
      if (options.length) {
        return { text: this.replies.clarify, citations: [], suggestions: options, intent, confident: false };
      }
      return { text: this.replies.not_covered, citations: [], suggestions: [], intent: intent === "qa" ? "out_of_scope" : intent, confident: false };
    }

    const meta = best.hit.chunk.metadata;
    const citations = this.citationsOf(best.hit);
    let lines: string[];
    if (meta.kind === "source") {
      lines = this.bestSentences(best.hit.chunk.pageContent, terms, 3, phrases);
      const note = this.index.kb.sources.find((s) => s.meta.id === meta.docId)?.meta.status_note;
      if (meta.status !== "in_force" && note) lines.push(fill(citationTexts(this.index.kb).history_note, { note }));
    } else {
      const card = this.cards.get(meta.docId)!;
      lines = this.composeCard(card, terms, phrases);
      const successor = card.meta.superseded_by ? this.cards.get(card.meta.superseded_by) : undefined;
      if (card.meta.status === "superseded" && successor) {
        lines.push(
          fill(citationTexts(this.index.kb).superseded, {
            date: formatDate(successor.meta.valid_from),
            current: successor.shortAnswer,
          }),
        );
        const successorCitations = toCitations(this.index.kb, successor.meta.sources, { title: successor.meta.title, status: successor.meta.status });
        for (const c of successorCitations) {
          if (!citations.some((x) => x.doc === c.doc && x.locator === c.locator)) citations.push(c);
        }
      }
      const step = (successor ?? card).nextSteps[0];
      if (step) lines.push(fill(this.replies.next_step, { step }));
    }

    const suggestions = assessed
      .slice(1)
      .filter((a) => a.coverage >= this.neededCoverage(a, intent) && a.hit.key !== best.hit.key)
      .map((a) => this.followUp(a.hit))
      .filter((q, i, all): q is string => !!q && all.indexOf(q) === i)
      .slice(0, 2);

    return {
      text: clampText(lines, MAX_ANSWER_CHARS),
      citations: citations.slice(0, MAX_CITATIONS),
      suggestions,
      intent,
      confident: best.coverage >= CONFIDENT_COVERAGE,
    };
  }
}

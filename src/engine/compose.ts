/**
 * Answering without a language model: the retriever ranks units (cards and source
 * passages) with how much of the question each covers; the composer checks that the best
 * one really covers it, then writes a short answer from our own text — a card's short
 * answer and its most relevant detail lines, or the best sentences of a source passage —
 * followed by citations. When nothing is relevant enough, it says so plainly; it never
 * answers from an irrelevant passage.
 *
 * The composer only reads ranked LangChain `Document`s, so a test can hand it a fake
 * ranker's documents without building an index.
 *
 * @example
 * const answerer = new Answerer(kb, retriever, replies, (intent) => topics[intent] ?? []);
 * const reply = await answerer.answer("ky quy di dai loan bao nhieu", "deposit");
 */
import type { Document } from "@langchain/core/documents";
import type { Card, KnowledgeBase } from "../knowledge/load.ts";
import { cardHedge, citationsOfChunk, citationTexts, toCitations } from "../knowledge/cite.ts";
import type { Topic } from "../knowledge/schema.ts";
import { fold, ruleText, splitSentences } from "../text/normalize.ts";
import { understandingVocabulary } from "../understanding/vocabulary.ts";
import { clampText, fill, formatDate, MAX_CITATIONS, textRoom, upperFirst } from "../text/wording.ts";
import { termBag } from "../retrieval/features.ts";
import { MAX_PHRASE_IDF, type Phrase, type QueryProfile, type QueryTerm } from "../retrieval/relevance.ts";
import type { RankedQuery, UnitMetadata, UnitRanker } from "../retrieval/retriever.ts";
import type { Citation, Intent, Reply } from "../contract.ts";
import { mentionedSubjects, routingVocabulary } from "./intent.ts";
import type { Replies } from "./replies.ts";

/** The knowledge topics of an intent: a skill's, or one the routing vocabulary gives. */
export type TopicsOf = (intent: Intent) => readonly Topic[];

/** Share of the question's informative words a unit must contain to answer from it. */
export const MIN_COVERAGE = 0.45;
/** Coverage above which the answer is marked confident. */
export const CONFIDENT_COVERAGE = 0.65;
/**
 * Below this similarity to any way the card is asked, a card answer is not marked
 * confident, however many words it shares: set on the real-message dev set (eval/real.jsonl),
 * where every confident card answer under it was wrong.
 */
export const MIN_QUESTION_SIMILARITY = 0.125;
/** Below MIN_COVERAGE but at least this: ask which of the nearest questions was meant. */
export const CLARIFY_COVERAGE = 0.25;
/** A unit on the intent's topics may answer with a little less coverage: the intent is evidence. */
const TOPIC_COVERAGE_RELIEF = 0.1;

type Unit = Document<UnitMetadata>;

export interface ComposeOptions {
  /** Whether a yes or a no answers the question; unknown when not given. */
  yesNo?: boolean;
  /** The person is in trouble or asks what to do: the next step that says where to get help goes first. */
  preferHelp?: boolean;
}

/**
 * A card's short answer without its "Có." / "Không." opening (the vocabulary's
 * answer_openers), for a question a yes or a no does not answer: "Ký quỹ bao nhiêu?" is
 * not answered by "Không." The rest of the answer starts with a capital letter.
 */
export function withoutYesNoOpening(kb: KnowledgeBase, answer: string): string {
  const m = /^(\S+(?: \S+)?)\.\s+(?=\S)/u.exec(answer);
  if (!m || !understandingVocabulary(kb).answer_openers.some((re) => re.test(ruleText(m[1]!)))) return answer;
  return upperFirst(answer.slice(m[0].length));
}

export class Answerer {
  private readonly cards: Map<string, Card>;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly ranker: UnitRanker,
    private readonly replies: Replies,
    private readonly topicsOf: TopicsOf = () => [],
  ) {
    this.cards = new Map(kb.cards.map((c) => [c.meta.id, c]));
  }

  /**
   * Ranks, checks coverage and composes; `intent` is what the rules decided (default "qa").
   * `yesNo: false` says the question is not one a yes or a no answers: a card's "Có." /
   * "Không." opening is then left out.
   */
  async answer(question: string, intent: Intent = "qa", options: ComposeOptions = {}): Promise<Reply> {
    return this.compose(await this.rank(question, intent), intent, options);
  }

  /** The ranked units `answer` composes from, best first. */
  async rank(question: string, intent: Intent = "qa"): Promise<RankedQuery> {
    return this.ranker.rank(question, { topics: this.topicsOf(intent), unaskedTopics: this.unaskedTopics(question) });
  }

  /**
   * Topics of the subjects a question does not mention, when it mentions exactly one: a card
   * about a loan should not answer "ký quỹ EPS bao nhiêu" just because both are money.
   */
  private unaskedTopics(question: string): Topic[] {
    const mentioned = mentionedSubjects(this.kb, question);
    if (mentioned.size !== 1) return [];
    return Object.keys(routingVocabulary(this.kb).subjects)
      .filter((s) => !mentioned.has(s))
      .flatMap((s) => this.topicsOf(s));
  }

  citationsOf(unit: Unit): Citation[] {
    return citationsOfChunk(this.kb, unit.metadata);
  }

  /** Coverage a unit needs to answer: a little less when it is on the intent's topics. */
  private neededCoverage(unit: Unit): number {
    return unit.metadata.onTopic ? MIN_COVERAGE - TOPIC_COVERAGE_RELIEF : MIN_COVERAGE;
  }

  /**
   * Best sentences of a passage (or best lines of a list) for this question, in order. Words count by
   * their weight; a phrase of the question found in the sentence ("thu hồi giấy phép")
   * counts on top, so the line about exactly that wins over one that shares single words.
   */
  bestSentences(text: string | string[], terms: QueryTerm[], max: number, phrases: Phrase[] = []): string[] {
    // A question asking for a figure ("bao nhiêu", "tối đa") prefers lines with one.
    const asked = fold(terms.map((t) => t.token).join(" "));
    const wantsNumber = routingVocabulary(this.kb).patterns.asks_figure?.some((re) => re.test(asked)) ?? false;
    // A passage is cut into sentences; a card's detail lines are already the units to pick.
    const sentences = typeof text === "string" ? splitSentences(text) : text;
    const scored = sentences.map((s, i) => {
      const bag = termBag(s, this.kb.lexicon, false);
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

  private composeCard(card: Card, query: QueryProfile, options: ComposeOptions): string[] {
    const lines = [this.opening(card, options)];
    const details = card.details.length ? this.bestSentences(card.details, query.terms, 2, query.phrases) : [];
    for (const d of details) lines.push(`• ${d}`);
    const hedge = cardHedge(this.kb, card);
    if (hedge) lines.push(hedge);
    return lines;
  }

  /** The first question a card lists: phrased the way people ask, and retrieves that card. */
  private followUp(unit: Unit): string | undefined {
    const meta = unit.metadata;
    if (meta.kind === "source") return undefined;
    return this.cards.get(meta.docId)?.meta.questions[0] ?? meta.title;
  }

  /**
   * A short answer to one more ask of the same message: the first sentence of the card
   * that covers it confidently, with its first citation; undefined when no card does.
   */
  async part(question: string, intent: Intent = "qa", options: ComposeOptions = {}): Promise<{ text: string; citation: Citation } | undefined> {
    const { documents } = await this.rank(question, intent);
    const best = documents[0];
    if (!best || best.metadata.kind === "source" || best.metadata.coverage < CONFIDENT_COVERAGE) return undefined;
    const card = this.cards.get(best.metadata.docId);
    const citation = this.citationsOf(best)[0];
    if (!card || !citation || card.meta.status !== "in_force") return undefined;
    const answer = this.opening(card, options);
    return { text: splitSentences(answer)[0] ?? answer, citation };
  }

  /** A card's short answer, without its yes/no opening when the ask is not a yes/no one. */
  private opening(card: Card, options: ComposeOptions): string {
    return options.yesNo === false ? withoutYesNoOpening(this.kb, card.shortAnswer) : card.shortAnswer;
  }

  /** Composes the reply from ranked units (best first). */
  compose({ query, documents }: RankedQuery, intent: Intent = "qa", options: ComposeOptions = {}): Reply {
    const best = documents[0];
    if (!best || best.metadata.coverage < this.neededCoverage(best)) {
      // Close but not close enough: offer the nearest questions we can answer instead of guessing.
      const options = documents
        .filter((d) => d.metadata.coverage >= CLARIFY_COVERAGE)
        .map((d) => this.followUp(d))
        .filter((q, i, all): q is string => !!q && all.indexOf(q) === i)
        .slice(0, 3);
      if (options.length) {
        return { text: this.replies.clarify, citations: [], suggestions: options, intent, confident: false };
      }
      return { text: this.replies.not_covered, citations: [], suggestions: [], intent: intent === "qa" ? "out_of_scope" : intent, confident: false };
    }

    const meta = best.metadata;
    const citations = this.citationsOf(best);
    let lines: string[];
    if (meta.kind === "source") {
      lines = this.bestSentences(best.pageContent, query.terms, 3, query.phrases);
      const note = this.kb.sources.find((s) => s.meta.id === meta.docId)?.meta.status_note;
      if (meta.status !== "in_force" && note) lines.push(fill(citationTexts(this.kb).history_note, { note }));
    } else {
      const card = this.cards.get(meta.docId)!;
      lines = this.composeCard(card, query, options);
      const successor = card.meta.superseded_by ? this.cards.get(card.meta.superseded_by) : undefined;
      if (card.meta.status === "superseded" && successor) {
        lines.push(fill(citationTexts(this.kb).superseded, { date: formatDate(successor.meta.valid_from), current: successor.shortAnswer }));
        for (const c of toCitations(this.kb, successor.meta.sources, { title: successor.meta.title, status: successor.meta.status })) {
          if (!citations.some((x) => x.doc === c.doc && x.locator === c.locator)) citations.push(c);
        }
      }
      const steps = (successor ?? card).nextSteps;
      const helpWords = understandingVocabulary(this.kb).office_words;
      const step = (options.preferHelp && steps.find((s) => helpWords.some((re) => re.test(ruleText(s))))) || steps[0];
      if (step) lines.push(fill(this.replies.next_step, { step }));
    }

    const suggestions = documents
      .slice(1)
      .filter((d) => d.metadata.coverage >= this.neededCoverage(d) && d.metadata.key !== meta.key)
      .map((d) => this.followUp(d))
      .filter((q, i, all): q is string => !!q && all.indexOf(q) === i)
      .slice(0, 2);

    const shown = citations.slice(0, MAX_CITATIONS);
    const confident = meta.coverage >= CONFIDENT_COVERAGE && (meta.questionSimilarity ?? 1) >= MIN_QUESTION_SIMILARITY;
    // Not sure it is what was asked: say so first, then the nearest thing we know.
    if (!confident) lines.unshift(this.replies.unsure);
    return {
      text: clampText(lines, textRoom(shown)),
      citations: shown,
      suggestions,
      intent,
      confident,
    };
  }
}

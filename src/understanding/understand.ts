/**
 * Understanding a message before anything is retrieved: which sentences ask something and
 * which of them is the real question, what the person's situation is (where they go, how
 * far they are, what happened, who writes, the sums they name), and whether it is small
 * talk. Pure and data-driven: the words are knowledge/vocabulary/understanding.yaml, the
 * markets knowledge/markets.yaml.
 *
 * A long story usually ends with its question ("…vậy em có lấy lại được tiền không?"), or
 * opens it with "cho em hỏi", "luật sư cho tôi hỏi": the main ask is the first ask from an
 * opener on, or else the first of the asks that close the message. Each ask is answered on
 * its own, with the situation the story gave, instead of ranking the whole story at once.
 *
 * @example
 * const u = understand(kb, "Em đã đóng 60 triệu cho công ty. Giờ em không muốn đi nữa. Em có lấy lại được tiền không?");
 * u.asks[0]?.text;         // "Em có lấy lại được tiền không?"
 * u.situation.stages;      // ["paid", "withdrawing"]
 * u.situation.amounts[0];  // { amount: { value: 60000000, currency: "VND" }, sentence: 0 }
 */
import type { KnowledgeBase } from "../knowledge/load.ts";
import { ruleText } from "../text/normalize.ts";
import { parseAmounts, type ParsedAmount } from "../text/amount.ts";
import { understandingVocabulary, type SmallTalk } from "./vocabulary.ts";

export type { SmallTalk };

/** At most this many asks are answered in one reply; the rest wait for a follow-up. */
export const MAX_ASKS = 3;

export interface Ask {
  /** The sentence as typed. */
  text: string;
  /** Folded words (ruleText). */
  folded: string;
  /** Its index among the message's sentences. */
  sentence: number;
  /** Whether a yes or a no answers it. */
  yesNo: boolean;
  /** The ask without the words around it (who is asked, politeness), as typed. */
  core: string;
  /** No sentence asks in words: the message's last sentence stands for what is asked. */
  implicit: boolean;
  /** The ask says too little on its own ("tôi nên làm gì?"): the situation must be searched too. */
  vague: boolean;
}

export interface Situation {
  /** The market the message names first, if any (a markets.yaml id). */
  market?: string;
  /** How the market is written ("Nhật Bản"). */
  marketName?: string;
  /** Whether the message names the state EPS programme or its visa. */
  eps: boolean;
  /** A job from knowledge/jobs.yaml, when named. */
  job?: string;
  /** Stages from the vocabulary, in vocabulary order ("paid", "withdrawing"…). */
  stages: string[];
  /** Events from the vocabulary ("refund_refused", "passport_kept"…). */
  events: string[];
  /** What to search the knowledge with for those events, in the same order (the vocabulary's own words). */
  eventSearches: string[];
  /** Events that are trouble (a refund refused, abuse…), not about what is charged. */
  trouble: string[];
  /** Who writes, when the message says ("parent", "officer"). */
  asker?: string;
  /** Sums of money (or months of salary) the message names, with the sentence each is in. */
  amounts: Array<{ amount: ParsedAmount; sentence: number }>;
}

export interface Understanding {
  /** The cleaned message. */
  text: string;
  sentences: string[];
  /** What is asked, main ask first, at most MAX_ASKS. */
  asks: Ask[];
  situation: Situation;
  /** Small talk or a control word, when that is the whole message. */
  smallTalk?: SmallTalk;
  /** A story: more than one sentence around the ask. */
  story: boolean;
}

/**
 * Sentences of a chat message: at . ! ? … ; followed by a space, and at a "?" even without
 * one ("có không?sao vậy"); decimals and amounts ("1.5", "4.800 USD") stay whole.
 */
export function chatSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…;])\s+|(?<=\?)(?=\p{L})/u)
    .map((s) => s.trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function matchesAny(patterns: readonly RegExp[], folded: string): boolean {
  return patterns.some((re) => re.test(folded));
}

const globals = new WeakMap<RegExp, RegExp>();

/** The pattern with the g flag, made once. */
function globalOf(re: RegExp): RegExp {
  let global = globals.get(re);
  if (!global) globals.set(re, (global = new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`)));
  return global;
}

/**
 * The sentence without the words the filler patterns match, keeping the other words as
 * typed (with their diacritics). Patterns run over the folded words joined by spaces; a
 * word goes when a match covers it. When nothing would be left, the sentence stays whole.
 */
export function withoutFillers(sentence: string, fillers: readonly RegExp[]): string {
  const words = sentence.split(/\s+/).filter(Boolean);
  const folded = words.map((w) => ruleText(w));
  // Character offset of each word in the folded line (words that fold to nothing are skipped).
  const starts: number[] = [];
  let line = "";
  for (const f of folded) {
    starts.push(f ? line.length + (line ? 1 : 0) : -1);
    if (f) line = line ? `${line} ${f}` : f;
  }
  const drop = new Set<number>();
  for (const re of fillers) {
    for (const m of line.matchAll(globalOf(re))) {
      const from = m.index;
      const to = from + m[0].length;
      if (to === from) continue;
      words.forEach((_, i) => {
        const s = starts[i]!;
        if (s >= 0 && s >= from && s + folded[i]!.length <= to) drop.add(i);
      });
    }
  }
  const kept = words.filter((_, i) => !drop.has(i) && folded[i] !== "");
  const core = kept.join(" ").replace(/^[\s,.:;!?-]+|[\s,:;-]+$/g, "");
  return /[\p{L}\p{N}]/u.test(core) ? core : sentence;
}

/** Reads one message. */
export function understand(kb: KnowledgeBase, text: string): Understanding {
  const words = understandingVocabulary(kb);
  const folded = ruleText(text);
  const sentences = chatSentences(text);
  const foldedSentences = sentences.map((s) => ruleText(s));

  const smallTalk = (Object.keys(words.small_talk) as SmallTalk[]).find((kind) => matchesAny(words.small_talk[kind], folded));

  const isAsk = (i: number) => sentences[i]!.includes("?") || matchesAny(words.ask_markers, foldedSentences[i]!);
  const askIndexes = sentences.map((_, i) => i).filter(isAsk);
  const opener = foldedSentences.findIndex((f) => matchesAny(words.ask_openers, f));
  let chosen: number[];
  if (opener >= 0) {
    // "Cho em hỏi …": the asks start there, in the order written.
    chosen = askIndexes.filter((i) => i >= opener);
    if (!chosen.includes(opener)) chosen.unshift(opener);
  } else if (askIndexes.length) {
    // The asks that close the message: from the last ask back over consecutive asks.
    const last = askIndexes[askIndexes.length - 1]!;
    let first = last;
    while (first > 0 && askIndexes.includes(first - 1)) first--;
    chosen = askIndexes.filter((i) => i >= first);
  } else {
    // No question mark or question words: the last sentence stands for what is asked.
    chosen = sentences.length ? [sentences.length - 1] : [];
  }
  const implicit = opener < 0 && askIndexes.length === 0;
  const toAsk = (sentenceText: string, sentenceFolded: string, sentence: number): Ask => ({
    text: sentenceText,
    folded: sentenceFolded,
    sentence,
    yesNo: matchesAny(words.yes_no, sentenceFolded),
    core: withoutFillers(sentenceText, words.fillers),
    implicit,
    vague: matchesAny(words.vague_asks, sentenceFolded),
  });
  const asks = chosen.slice(0, MAX_ASKS).map((i) => toAsk(sentences[i]!, foldedSentences[i]!, i));
  if (!asks.length && text.trim()) asks.push(toAsk(text, folded, 0));

  const destination = kb.markets.destination(text);
  const named = (groups: Record<string, readonly RegExp[]>) => Object.keys(groups).filter((k) => matchesAny(groups[k]!, folded));
  const amounts = sentences.flatMap((s, sentence) => parseAmounts(s).map((amount) => ({ amount, sentence })));
  const eventIds = Object.keys(words.events).filter((k) => matchesAny(words.events[k]!.patterns, folded));
  const situation: Situation = {
    market: destination?.market,
    marketName: destination?.name,
    eps: destination?.eps === true,
    job: kb.markets.job(folded),
    stages: named(words.stages),
    events: eventIds,
    eventSearches: eventIds.map((k) => words.events[k]!.search),
    trouble: eventIds.filter((k) => !words.events[k]!.charge),
    asker: named(words.askers)[0],
    amounts,
  };
  return { text, sentences, asks, situation, smallTalk, story: sentences.length > 1 };
}

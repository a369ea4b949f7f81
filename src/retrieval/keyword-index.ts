/**
 * The keyword side of hybrid retrieval: a MiniSearch (BM25) index over folded Vietnamese
 * terms. It is built with the vector index and saved next to it, so a normal start only
 * loads it.
 */
import MiniSearch, { type Options } from "minisearch";
import type { Chunk } from "../knowledge/chunk.ts";
import type { Lexicon } from "../text/lexicon.ts";
import { termBag } from "./features.ts";

type KeywordDoc = { id: string; text?: string; question?: string };
export type KeywordIndex = MiniSearch<KeywordDoc>;

/** Terms for the keyword ranker: folded unigrams plus bigrams, for documents or queries. */
export function keywordTerms(text: string, lexicon: Lexicon, asQuery: boolean): string[] {
  const bag = termBag(text, lexicon, asQuery);
  return [...bag.unigrams, ...bag.bigrams];
}

/** Options shared by building and loading (MiniSearch does not save functions). */
function keywordOptions(lexicon: Lexicon): Options<KeywordDoc> {
  return {
    fields: ["text", "question"],
    idField: "id",
    tokenize: (text, field) => keywordTerms(text, lexicon, field === "question"),
    processTerm: (t) => t,
    searchOptions: {
      tokenize: (text) => keywordTerms(text, lexicon, true),
      processTerm: (t) => t,
      combineWith: "OR",
      // Typing slips are fixed before search (KnowledgeRetriever.correctQuery); fuzzy
      // matching here cost more time and memory than it won.
      fuzzy: false,
    },
  };
}

/**
 * The keyword index. Documents go in field `text`; a card's questions, written the way
 * people type, go in field `question` and get the same expansion as queries.
 */
export function buildKeywordIndex(chunks: Chunk[], lexicon: Lexicon): KeywordIndex {
  const ms = new MiniSearch<KeywordDoc>(keywordOptions(lexicon));
  ms.addAll(
    chunks.map((c) =>
      c.metadata.kind === "card_question"
        ? { id: c.metadata.chunkId, question: c.metadata.searchText }
        : { id: c.metadata.chunkId, text: c.metadata.searchText },
    ),
  );
  return ms;
}

/** Loads an index saved with `JSON.stringify(index)`. */
export function loadKeywordIndex(json: string, lexicon: Lexicon): KeywordIndex {
  return MiniSearch.loadJSON<KeywordDoc>(json, keywordOptions(lexicon));
}

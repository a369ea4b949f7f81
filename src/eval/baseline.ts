/**
 * The comparison point for `npm run eval`: plain BM25 over the same retrieval units (a
 * card with its title, questions and body; a passage of a source document), with
 * MiniSearch's default tokenizer — lower-cased words, diacritics kept, no dictionary, no
 * bigrams, no vectors, no re-ranking. What it shows is what the Vietnamese-aware parts add.
 */
import MiniSearch from "minisearch";
import type { Chunk } from "../knowledge/chunk.ts";
import { cardText } from "../knowledge/load.ts";
import type { Hit } from "../retrieval/retriever.ts";
import type { KnowledgeIndex } from "../retrieval/vector-index.ts";

export class PlainBm25 {
  private readonly ms: MiniSearch<{ id: string; text: string }>;
  private readonly units = new Map<string, Chunk>();

  constructor(index: KnowledgeIndex) {
    this.ms = new MiniSearch({ fields: ["text"], idField: "id", searchOptions: { combineWith: "OR" } });
    const docs: Array<{ id: string; text: string }> = [];
    for (const c of index.chunks) {
      const meta = c.metadata;
      if (meta.kind === "card_question") continue;
      if (meta.kind === "card") {
        const card = index.kb.cards.find((x) => x.meta.id === meta.docId)!;
        const key = `card:${meta.docId}`;
        this.units.set(key, c);
        docs.push({ id: key, text: cardText(card) });
      } else {
        this.units.set(meta.chunkId, c);
        docs.push({ id: meta.chunkId, text: c.pageContent });
      }
    }
    this.ms.addAll(docs);
  }

  search(query: string, k = 8): Hit[] {
    return this.ms
      .search(query)
      .slice(0, k)
      .map((r, i) => ({ key: String(r.id), chunk: this.units.get(String(r.id))!, score: r.score, keywordRank: i + 1 }));
  }
}

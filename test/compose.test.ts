/**
 * The composer on its own: a fake ranker hands it documents, no index is built. What it
 * decides — answer, ask which question was meant, or say plainly it is not covered — rests
 * only on the coverage the ranker reports and the knowledge's own text.
 */
import { Document } from "@langchain/core/documents";
import { beforeAll, describe, expect, it } from "vitest";
import { Answerer } from "../src/engine/compose.ts";
import { repliesTexts } from "../src/engine/replies.ts";
import { chunkKnowledge } from "../src/knowledge/chunk.ts";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import type { RankedQuery, UnitMetadata, UnitRanker } from "../src/retrieval/retriever.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

/** A ranker that returns these cards, each with this coverage, for any question. */
function fakeRanker(units: Array<[cardId: string, coverage: number, questionSimilarity?: number]>): UnitRanker {
  return {
    async rank(question: string): Promise<RankedQuery> {
      const chunks = chunkKnowledge(kb);
      const documents = units.map(([cardId, coverage, questionSimilarity]) => {
        const chunk = chunks.find((c) => c.metadata.kind === "card" && c.metadata.docId === cardId)!;
        return new Document<UnitMetadata>({
          pageContent: chunk.pageContent,
          metadata: { ...chunk.metadata, key: `card:${cardId}`, score: 0.03, coverage, onTopic: false, questionSimilarity },
        });
      });
      return { query: { text: question, terms: [], phrases: [] }, documents };
    },
  };
}

describe("the composer, with a fake ranker and no index", () => {
  it("answers from the best card: its short answer, its sources, a next step and a follow-up", async () => {
    const answerer = new Answerer(kb, fakeRanker([["money-deposit-taiwan", 0.9], ["money-deposit-what-is", 0.6]]), repliesTexts(kb));
    const reply = await answerer.answer("bất kỳ câu hỏi nào");
    const card = kb.cards.find((c) => c.meta.id === "money-deposit-taiwan")!;
    expect(reply.text.startsWith(card.shortAnswer)).toBe(true);
    expect(reply.citations[0]?.doc).toBe(card.meta.sources[0]!.doc);
    expect(reply.confident).toBe(true);
    expect(reply.suggestions).toEqual([kb.cards.find((c) => c.meta.id === "money-deposit-what-is")!.meta.questions[0]]);
  });

  it("asks which question was meant when the best unit covers the question only partly", async () => {
    const answerer = new Answerer(kb, fakeRanker([["money-deposit-taiwan", 0.3], ["money-deposit-what-is", 0.28]]), repliesTexts(kb));
    const reply = await answerer.answer("bất kỳ câu hỏi nào");
    expect(reply.text).toBe(repliesTexts(kb).clarify);
    expect(reply.citations).toEqual([]);
    expect(reply.suggestions).toHaveLength(2);
    expect(reply.confident).toBe(false);
  });

  it("says plainly that it is not covered when nothing is close, without buttons or citations", async () => {
    const answerer = new Answerer(kb, fakeRanker([["money-deposit-taiwan", 0.1]]), repliesTexts(kb));
    const reply = await answerer.answer("bất kỳ câu hỏi nào");
    expect(reply).toMatchObject({ text: repliesTexts(kb).not_covered, citations: [], suggestions: [], intent: "out_of_scope", confident: false });
  });

  it("lets a card on the intent's topics answer with a little less coverage", async () => {
    const ranker = fakeRanker([["money-deposit-taiwan", 0.4]]);
    const onTopic: UnitRanker = {
      async rank(q, options) {
        const ranked = await ranker.rank(q, options);
        return { ...ranked, documents: ranked.documents.map((d) => new Document({ ...d, metadata: { ...d.metadata, onTopic: true } })) };
      },
    };
    expect((await new Answerer(kb, ranker, repliesTexts(kb)).answer("q")).citations).toEqual([]);
    expect((await new Answerer(kb, onTopic, repliesTexts(kb)).answer("q")).citations.length).toBeGreaterThan(0);
  });
});

describe("honest about a card that shares words but not the question", () => {
  it("says it is not sure when the question is far from every way the card is asked", async () => {
    const far = await new Answerer(kb, fakeRanker([["money-deposit-taiwan", 0.9, 0.05]]), repliesTexts(kb)).answer("bất kỳ câu hỏi nào");
    expect(far.confident).toBe(false);
    expect(far.text.startsWith(repliesTexts(kb).unsure)).toBe(true);
    const near = await new Answerer(kb, fakeRanker([["money-deposit-taiwan", 0.9, 0.4]]), repliesTexts(kb)).answer("bất kỳ câu hỏi nào");
    expect(near.confident).toBe(true);
    expect(near.text.startsWith(repliesTexts(kb).unsure)).toBe(false);
  });
});

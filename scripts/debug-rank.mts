// Prints the answerer's ranking for questions, as the engine sees them (intent, spelling fix).
import { createEngine } from "../src/engine/engine.ts";
import { ruleIntent } from "../src/engine/intent.ts";
const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: "data", promptsDir: "prompts" });
for (const q of process.argv.slice(2)) {
  const intent = ruleIntent(q) ?? "qa";
  console.log("Q:", q, "| intent", intent, "| keyword query:", engine.retriever.keywordQuery(engine.retriever.correctQuery(q)));
  for (const a of (await engine.answerer.rank(q, intent)).slice(0, 5)) {
    const m = a.hit.chunk.metadata;
    console.log(`  ${a.hit.score.toFixed(4)} cov=${a.coverage.toFixed(2)} v=${a.hit.vectorRank} k=${a.hit.keywordRank} ${m.docId} | ${a.hit.chunk.pageContent.slice(0, 70).replace(/\n/g, " ")}`);
  }
}

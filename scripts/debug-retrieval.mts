import { createEngine } from "../src/engine/engine.ts";
const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: "data", promptsDir: "prompts" });
for (const q of process.argv.slice(2)) {
  console.log("Q:", q);
  const terms = engine.answerer.queryTerms(q);
  console.log(" terms:", terms.map(t => `${t.folded}(${t.weight.toFixed(2)})${t.alternatives.length? "["+t.alternatives.join(",")+"]":""}`).join(" "));
  for (const a of (await engine.answerer.assess(q)).slice(0, 5)) {
    const m = a.hit.chunk.metadata;
    console.log(`  ${a.hit.score.toFixed(4)} sim=${a.hit.similarity.toFixed(3)} cov=${a.coverage.toFixed(2)} v=${a.hit.vectorRank} k=${a.hit.keywordRank} ${m.kind} ${m.doc} | ${m.locator} | ${a.hit.chunk.pageContent.slice(0, 80).replace(/\n/g, " ")}`);
  }
}

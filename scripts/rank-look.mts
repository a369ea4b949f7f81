// Prints the composer's view of questions: intent, top units with coverage and score.
//   npx tsx scripts/rank-look.mts "câu hỏi 1" "câu hỏi 2"
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEngine } from "../src/engine/engine.ts";
import { ruleIntent } from "../src/engine/intent.ts";
const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: await mkdtemp(join(tmpdir(), "rank-")), promptsDir: "prompts" });
for (const q of process.argv.slice(2)) {
  const intent = ruleIntent(engine.index.kb, q) ?? "qa";
  const ranked = await engine.answerer.rank(q, intent);
  console.log(`Q: ${q} | intent ${intent}`);
  for (const d of ranked.documents.slice(0, 5)) {
    const m = d.metadata;
    console.log(`  cov=${m.coverage.toFixed(2)} s=${m.score.toFixed(4)} ${m.onTopic ? "T" : " "} ${m.key} | ${d.pageContent.slice(0, 60).replace(/\n/g, " ")}`);
  }
}

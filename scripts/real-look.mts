// Every real message of one half (dev by default) with what came back, as a user reads it:
//   npx tsx scripts/real-look.mts dev | test
import { createEngine } from "../src/engine/engine.ts";
import { loadRealMessages, runReal } from "../src/eval/real.ts";
import { mkdtemp } from "node:fs/promises";
const split = process.argv[2] ?? "dev";
const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: await mkdtemp("/tmp/rd-"), promptsDir: "prompts" });
const msgs = loadRealMessages("eval/real.jsonl").filter((m) => m.split === split);
const run = await runReal(engine, msgs);
for (const r of run.results) {
  const tag = r.ok ? "OK " : r.wrongConfident ? "WC " : "-- ";
  console.log(`${tag}${r.m.id} [${r.m.kind}/${r.m.intent}] facts=${r.factsOk ? 1 : 0} src=${r.sourcesOk ? 1 : 0} conf=${r.reply.confident} intent=${r.reply.intent}\n   Q: ${r.m.text.slice(-140).replace(/\n/g, " ")}\n   A: ${r.answer.slice(0, 180).replace(/\n/g, " | ")}`);
}
console.log(JSON.stringify(split === "dev" ? run.dev : run.test));

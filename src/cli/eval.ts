/**
 * `npm run eval`: scores the engine and a plain BM25 baseline on `eval/questions.jsonl`,
 * prints the summary and writes `eval/report.md` with `eval/report.svg`.
 *
 *   npm run eval                 # report
 *   npm run eval -- --check      # also exit 1 when an acceptance target is missed
 *   npm run eval -- --llm        # also run the LLM mode (LLM_PROVIDER set) and write eval/report-llm.md
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../config.ts";
import { createEngine } from "../engine/engine.ts";
import { loadQuestions } from "../eval/dataset.ts";
import { checkTargets, llmReportMarkdown, reportMarkdown, reportSvg } from "../eval/report.ts";
import { runEval, runLlmEval } from "../eval/run.ts";
import { loadRealMessages, runReal } from "../eval/real.ts";
import { llmFromConfig } from "../llm/model.ts";
import { loadLlmPrompts } from "../llm/assistant.ts";

const config = loadConfig();
const withLlm = process.argv.includes("--llm");
if (withLlm && !config.LLM_PROVIDER) {
  console.error("--llm needs a language model: set LLM_PROVIDER and LLM_MODEL (README, \"Using a language model\").");
  process.exit(2);
}
const evalDir = "eval";
const questions = loadQuestions(join(evalDir, "questions.jsonl"));
const engine = await createEngine({ knowledgeDir: config.KNOWLEDGE_DIR, dataDir: config.DATA_DIR, promptsDir: config.PROMPTS_DIR });
const run = await runEval(engine, questions);
const real = await runReal(engine, loadRealMessages(join(evalDir, "real.jsonl")));

writeFileSync(join(evalDir, "report.svg"), reportSvg(run));
writeFileSync(join(evalDir, "report.md"), reportMarkdown(run, "report.svg", real));

const fmt = (x: number) => (x * 100).toFixed(1).padStart(5);
console.log(`${questions.length} questions        hit@1 hit@3   MRR facts intent`);
for (const s of [run.hybrid, run.baseline]) {
  for (const [label, m] of [["overall", s.overall] as const, ...["accented", "unaccented", "colloquial", "english"].flatMap((t) => (s.byTag.has(t) ? [[t, s.byTag.get(t)!] as const] : []))]) {
    console.log(`${`${s.name} ${label}`.padEnd(22)} ${fmt(m.hit1)} ${fmt(m.hit3)} ${fmt(m.mrr)} ${fmt(m.factAccuracy)} ${fmt(m.intentAccuracy)}`);
  }
}
console.log(`real messages         all-ok facts sources neg-handled wrong-confident`);
for (const [half, m] of [["dev", real.dev], ["test", real.test]] as const) {
  console.log(`${`real ${half} (${m.n})`.padEnd(22)} ${fmt(m.allOk)} ${fmt(m.facts)} ${fmt(m.sources)} ${fmt(m.negativesHandled)} ${fmt(m.wrongConfident)}`);
}
if (withLlm) {
  // The same engine in LLM mode: the index is loaded once; runLlmEval asks as other people.
  engine.useLanguageModel({ ...(await llmFromConfig(config))!, prompts: loadLlmPrompts(config.PROMPTS_DIR) });
  const llmRun = await runLlmEval(engine, questions, run);
  for (const [label, m] of [["offline", run.hybrid.overall], ["llm", llmRun.llm.overall]] as const) {
    console.log(`${`${label} overall`.padEnd(22)} ${fmt(m.hit1)} ${fmt(m.hit3)} ${fmt(m.mrr)} ${fmt(m.factAccuracy)} ${fmt(m.intentAccuracy)}`);
  }
  console.log(`model answers sent: ${fmt(llmRun.llmShare)} %; offline instead: ${JSON.stringify(llmRun.fallbacks)}`);
  writeFileSync(join(evalDir, "report-llm.md"), llmReportMarkdown(run, llmRun, `${config.LLM_PROVIDER}:${config.LLM_MODEL}`));
  console.log(`wrote ${join(evalDir, "report-llm.md")}`);
}
const checks = checkTargets(run);
for (const c of checks) console.log(`${c.ok ? "ok  " : "MISS"} ${c.label}: ${c.value}`);
console.log(`wrote ${join(evalDir, "report.md")} and ${join(evalDir, "report.svg")}`);
if (process.argv.includes("--check") && checks.some((c) => !c.ok)) process.exit(1);

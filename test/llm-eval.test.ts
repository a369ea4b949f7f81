/**
 * `npm run eval -- --llm` without a real model: an extractive fake that answers from the
 * first retrieved passage (always grounded), and a lying fake (never grounded).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { BaseMessage } from "@langchain/core/messages";
import { createEngine, type Engine } from "../src/engine/engine.ts";
import { loadQuestions } from "../src/eval/dataset.ts";
import { runEval, runLlmEval, type EvalRun } from "../src/eval/run.ts";
import { llmReportMarkdown } from "../src/eval/report.ts";
import { loadLlmPrompts } from "../src/llm/assistant.ts";
import { KNOWLEDGE_DIR, PROMPTS_DIR, ROOT, realEngine, sharedDataDir } from "./helpers.ts";
import { ScriptedChatModel } from "./fakes/scripted-model.ts";

const questions = loadQuestions(join(ROOT, "eval/questions.jsonl")).filter((_, i) => i % 13 === 0);
let offlineRun: EvalRun;
let base: Engine;

beforeAll(async () => {
  base = await realEngine();
  offlineRun = await runEval(base, questions);
}, 60_000);

/** An engine of its own (fresh sessions) in LLM mode with this model. */
async function llmEngine(script: (messages: BaseMessage[]) => string): Promise<Engine> {
  const engine = await createEngine({ knowledgeDir: KNOWLEDGE_DIR, dataDir: sharedDataDir(), promptsDir: PROMPTS_DIR });
  engine.useLanguageModel({ model: new ScriptedChatModel(script), prompts: loadLlmPrompts(PROMPTS_DIR) });
  return engine;
}

/** Answers with the first retrieved passage's first line and its first citation. */
function extractive(messages: BaseMessage[]): string {
  const content = String(messages[messages.length - 1]!.content);
  const m = /<tai_lieu>\n\[1\] ([^\n]*)\n([^\n]*)/.exec(content);
  if (!m) return "Mình chưa có tài liệu về việc này. Bạn hỏi Ủy ban nhân dân xã nơi bạn ở nhé.";
  const citation = m[1]!.split(" (")[0]!.split(";")[0]!;
  return `${m[2]!.replace(/[.\s]+$/, "")} (${citation}).`;
}

describe("npm run eval -- --llm", () => {
  it("scores the LLM mode beside the offline engine and reports how many model answers were sent", async () => {
    const llmRun = await runLlmEval(await llmEngine(extractive), questions, offlineRun);
    expect(llmRun.llm.results).toHaveLength(questions.length);
    expect(llmRun.llmShare).toBeGreaterThan(0.5);
    const fellBack = Object.values(llmRun.fallbacks).reduce((a, b) => a + b, 0);
    expect(Math.round(llmRun.llmShare * questions.length) + fellBack).toBeLessThanOrEqual(questions.length);
    const md = llmReportMarkdown(offlineRun, llmRun, "fake:extractive");
    expect(md).toMatch(/\| offline \| \d+ \|/);
    expect(md).toMatch(/\| llm \| \d+ \|/);
    expect(md).toContain("Answered with the model's text");
  }, 60_000);

  it("scores a model that always invents a figure exactly like the offline engine", async () => {
    const llmRun = await runLlmEval(await llmEngine(() => "Mức tối đa là 99 tháng lương (Luật 69/2020/QH14)."), questions, offlineRun);
    expect(llmRun.llmShare).toBe(0);
    expect(llmRun.llm.overall.factAccuracy).toBe(offlineRun.hybrid.overall.factAccuracy);
    expect(llmRun.llm.overall.intentAccuracy).toBe(offlineRun.hybrid.overall.intentAccuracy);
    expect(llmRun.fallbacks.ungrounded).toBeGreaterThan(0);
  }, 60_000);

  it("refuses to run without a language model", async () => {
    await expect(runLlmEval(base, questions, offlineRun)).rejects.toThrow(/LLM_PROVIDER/);
  });
});

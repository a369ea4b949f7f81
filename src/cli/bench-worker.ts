/**
 * One measured process for `npm run bench` (not meant to be run by hand): opens the
 * index (building it when asked), answers every evaluation question `rounds` times and
 * prints one JSON line — cold start, load/build time, latency percentiles, peak RSS.
 *
 *   tsx src/cli/bench-worker.ts <knowledgeDir> <dataDir> <questions.jsonl> <rounds> [--rebuild]
 */
import { dirname, join } from "node:path";
import { percentile } from "../eval/stats.ts";
import { performance } from "node:perf_hooks";
import { createEngine } from "../engine/engine.ts";
import { loadQuestions } from "../eval/dataset.ts";
import { loadRealMessages } from "../eval/real.ts";

/** A long message: a story with its question at the end. */
const LONG_MESSAGE_CHARS = 400;

const [knowledgeDir, dataDir, questionsFile, roundsArg] = process.argv.slice(2);
if (!knowledgeDir || !dataDir || !questionsFile) {
  console.error("usage: tsx src/cli/bench-worker.ts <knowledgeDir> <dataDir> <questions.jsonl> <rounds> [--rebuild]");
  process.exit(2);
}
const rounds = Number(roundsArg ?? 3);
const questions = loadQuestions(questionsFile).map((q) => q.question);

const t0 = performance.now();
const engine = await createEngine({ knowledgeDir, dataDir, promptsDir: "prompts", rebuildIndex: process.argv.includes("--rebuild") });
const openMs = performance.now() - t0;
const peakAfterOpenMb = process.resourceUsage().maxRSS / 1024;
await engine.handle({ channel: "cli", userId: "bench", text: questions[0]! });
// From the process's start (Node boot, module loading, index load) to the first answer.
const coldStartMs = process.uptime() * 1000;

const times: number[] = [];
const start = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const [i, text] of questions.entries()) {
    const t = performance.now();
    // One person per question, as in the evaluation: a fee check asking back must not eat the next one.
    await engine.handle({ channel: "cli", userId: `bench-${i}`, text });
    times.push(performance.now() - t);
  }
}
const totalMs = performance.now() - start;
times.sort((a, b) => a - b);

// Long real messages (eval/real.jsonl over 400 characters), the same rounds.
const longTexts = loadRealMessages(join(dirname(questionsFile), "real.jsonl")).map((m) => m.text).filter((t) => t.length > LONG_MESSAGE_CHARS);
const longTimes: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (const [i, text] of longTexts.entries()) {
    const t = performance.now();
    await engine.handle({ channel: "cli", userId: `bench-long-${i}`, text });
    longTimes.push(performance.now() - t);
  }
}
longTimes.sort((a, b) => a - b);
const pct = (p: number) => percentile(times, p)!;
console.log(
  JSON.stringify({
    chunks: engine.index.chunks.length,
    cards: engine.index.kb.cards.length,
    openMs,
    coldStartMs,
    messages: times.length,
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    perSecond: (times.length / totalMs) * 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakAfterOpenMb,
    long: { messages: longTimes.length, p50: percentile(longTimes, 0.5) ?? 0, p95: percentile(longTimes, 0.95) ?? 0 },
  }),
);

/**
 * Runs the evaluation set through the engine (the hybrid system) and through the plain
 * BM25 baseline, scoring each question on retrieval (rank of the first unit citing an
 * expected document), facts (regular expressions over the folded answer) and intent.
 *
 * @example
 * const run = await runEval(engine, loadQuestions("eval/questions.jsonl"));
 * run.hybrid.overall.hit3; // 0.93
 */
import { performance } from "node:perf_hooks";
import { renderPlain } from "../channels/render.ts";
import type { Engine } from "../engine/engine.ts";
import type { KnowledgeBase } from "../knowledge/load.ts";
import { ruleIntent } from "../engine/intent.ts";
import type { RankedQuery } from "../retrieval/retriever.ts";
import type { Intent, Reply } from "../contract.ts";
import { fold } from "../text/normalize.ts";
import { PlainBm25 } from "./baseline.ts";
import { createMetrics } from "../metrics.ts";
import type { EvalQuestion } from "./dataset.ts";

/** Ranked units considered for hit@k and MRR. */
const RANK_DEPTH = 8;

export interface QuestionResult {
  q: EvalQuestion;
  /** 1-based rank of the first unit citing an expected document; undefined if none in the top RANK_DEPTH. */
  rank?: number;
  /** Whether every fact pattern matched; undefined when the question lists none. */
  factsOk?: boolean;
  missingFacts: string[];
  intent: Intent;
  answer: string;
  /** The top three units as "doc | locator". */
  retrieved: string[];
  ms: number;
}

export interface Metrics {
  n: number;
  /** Questions with expected documents (hit@k, MRR are over these). */
  nRetrieval: number;
  nFacts: number;
  hit1: number;
  hit3: number;
  mrr: number;
  factAccuracy: number;
  intentAccuracy: number;
}

export interface SystemResults {
  name: string;
  results: QuestionResult[];
  overall: Metrics;
  byTag: Map<string, Metrics>;
}

export interface EvalRun {
  questions: number;
  hybrid: SystemResults;
  baseline: SystemResults;
  /** Longest rendered answer (text + citations) of the hybrid system, in characters. */
  longestAnswer: number;
}

type Ranked = { docs: string[]; label: string };

function rankOf(ranked: Ranked[], expected: string[]): number | undefined {
  const i = ranked.findIndex((u) => u.docs.some((d) => expected.includes(d)));
  return i >= 0 ? i + 1 : undefined;
}

export function metricsOf(results: QuestionResult[]): Metrics {
  const retrieval = results.filter((r) => r.q.expected_docs.length);
  const facts = results.filter((r) => r.factsOk !== undefined);
  const share = (n: number, d: number) => (d ? n / d : 0);
  return {
    n: results.length,
    nRetrieval: retrieval.length,
    nFacts: facts.length,
    hit1: share(retrieval.filter((r) => r.rank === 1).length, retrieval.length),
    hit3: share(retrieval.filter((r) => r.rank !== undefined && r.rank <= 3).length, retrieval.length),
    mrr: share(retrieval.reduce((s, r) => s + (r.rank ? 1 / r.rank : 0), 0), retrieval.length),
    factAccuracy: share(facts.filter((r) => r.factsOk).length, facts.length),
    intentAccuracy: share(results.filter((r) => r.intent === r.q.intent).length, results.length),
  };
}

function summarise(name: string, results: QuestionResult[]): SystemResults {
  const tags = new Map<string, QuestionResult[]>();
  for (const r of results) for (const t of r.q.tags) tags.set(t, [...(tags.get(t) ?? []), r]);
  const byTag = new Map([...tags].sort(([a], [b]) => a.localeCompare(b)).map(([t, rs]) => [t, metricsOf(rs)] as const));
  return { name, results, overall: metricsOf(results), byTag };
}

/** Scores one reply: facts over the rendered answer (text and citations), intent, and the given ranking. */
function scoreReply(
  q: EvalQuestion, reply: Reply, kb: KnowledgeBase, ranking: Pick<QuestionResult, "rank" | "retrieved">, ms: number,
): QuestionResult {
  const answer = renderPlain(reply, kb);
  const folded = fold(answer);
  const missingFacts = q.facts.filter((p) => !new RegExp(p).test(folded));
  return {
    q,
    ...ranking,
    factsOk: q.facts.length ? missingFacts.length === 0 : undefined,
    missingFacts,
    intent: reply.intent,
    answer,
    ms,
  };
}

export interface LlmModeRun {
  /** The LLM-mode engine's results; retrieval ranks are the offline run's (the same retriever). */
  llm: SystemResults;
  /** Share of questions answered with the model's text (mode "llm"). */
  llmShare: number;
  /** Offline answers sent instead, by reason (ungrounded, timeout…). */
  fallbacks: Record<string, number>;
}

/**
 * The same questions through an engine in LLM mode, scored like the hybrid run, with the
 * share of model answers that passed the grounding gate and why the others did not.
 */
export async function runLlmEval(engine: Engine, questions: EvalQuestion[], offline: EvalRun): Promise<LlmModeRun> {
  if (!engine.llm) throw new Error("runLlmEval needs an engine in LLM mode: set LLM_PROVIDER and LLM_MODEL (see README, Using a language model)");
  const metrics = (engine.metrics ??= createMetrics());
  const byId = new Map(offline.hybrid.results.map((r) => [r.q.id, r]));
  const results: QuestionResult[] = [];
  let fromModel = 0;
  for (const q of questions) {
    const t0 = performance.now();
    const reply = await engine.handle({ channel: "cli", userId: `eval-llm-${q.id}`, text: q.question });
    const ms = performance.now() - t0;
    if (reply.mode === "llm") fromModel++;
    const ranked = byId.get(q.id);
    results.push(scoreReply(q, reply, engine.index.kb, { rank: ranked?.rank, retrieved: ranked?.retrieved ?? [] }, ms));
  }
  const counted = await metrics.registry.getSingleMetric("xkld_llm_turns_total")!.get();
  const fallbacks: Record<string, number> = {};
  for (const v of counted.values) if (v.labels.outcome === "fallback") fallbacks[String(v.labels.reason)] = v.value;
  return { llm: summarise("llm", results), llmShare: questions.length ? fromModel / questions.length : 0, fallbacks };
}

export async function runEval(engine: Engine, questions: EvalQuestion[]): Promise<EvalRun> {
  const { answerer } = engine;
  const { kb } = engine.index;
  const baseline = new PlainBm25(engine.index);
  const unitsOf = (ranked: RankedQuery): Ranked[] =>
    ranked.documents.slice(0, RANK_DEPTH).map((d) => ({
      docs: answerer.citationsOf(d).map((c) => c.doc),
      label: `${d.metadata.doc} | ${d.metadata.locator}`,
    }));

  const score = (q: EvalQuestion, reply: Reply, ranked: Ranked[], ms: number): QuestionResult =>
    scoreReply(q, reply, kb, { rank: q.expected_docs.length ? rankOf(ranked, q.expected_docs) : undefined, retrieved: ranked.slice(0, 3).map((u) => u.label) }, ms);

  const hybrid: QuestionResult[] = [];
  const plain: QuestionResult[] = [];
  let longestAnswer = 0;
  for (const q of questions) {
    // Hybrid: the engine exactly as channels call it; the ranking is the composer's own.
    const t0 = performance.now();
    // One person per question: a fee check that asks back must not read the next question as its answer.
    const reply = await engine.handle({ channel: "cli", userId: `eval-${q.id}`, text: q.question });
    const ms = performance.now() - t0;
    const ranked = unitsOf(await answerer.rank(q.question, reply.intent));
    const result = score(q, reply, ranked, ms);
    longestAnswer = Math.max(longestAnswer, result.answer.length);
    hybrid.push(result);

    // Baseline: same rules and fixed replies, BM25 ranking, same composer without re-ranking.
    const t1 = performance.now();
    const intent = ruleIntent(engine.index.kb, q.question);
    const assessed = engine.retriever.scoreInOrder(q.question, baseline.search(q.question, RANK_DEPTH), { topics: engine.topicsOf(intent ?? "qa") });
    const baseReply =
      intent === "greeting" || intent === "help" || intent === "out_of_scope" || intent === "handoff"
        ? reply
        : answerer.compose(assessed, intent ?? "qa");
    plain.push(score(q, baseReply, unitsOf(assessed), performance.now() - t1));
  }
  return {
    questions: questions.length,
    hybrid: summarise("hybrid", hybrid),
    baseline: summarise("bm25", plain),
    longestAnswer,
  };
}

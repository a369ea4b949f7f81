/**
 * Turns an evaluation run into `eval/report.md` and a bar chart `eval/report.svg`
 * (hand-written SVG: no plotting dependency, readable in any browser or on GitHub).
 */
import { percentile } from "./stats.ts";
import type { EvalRun, LlmModeRun, Metrics, QuestionResult, SystemResults } from "./run.ts";
import type { RealMetrics, RealRun } from "./real.ts";

/** The acceptance targets of issue #4, checked by `npm run eval -- --check`. */
export const TARGETS = {
  hit3: 0.9,
  factAccuracy: 0.85,
  intentAccuracy: 0.9,
  /** Largest allowed gap, in points of hit@3 and fact accuracy, between accented and unaccented. */
  unaccentedGap: 0.05,
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}`;

export interface TargetCheck {
  label: string;
  value: string;
  ok: boolean;
}

export function checkTargets(run: EvalRun): TargetCheck[] {
  const h = run.hybrid;
  const acc = h.byTag.get("accented");
  const unacc = h.byTag.get("unaccented");
  const checks: TargetCheck[] = [
    { label: `hit@3 ≥ ${TARGETS.hit3}`, value: h.overall.hit3.toFixed(3), ok: h.overall.hit3 >= TARGETS.hit3 },
    {
      label: `fact accuracy ≥ ${TARGETS.factAccuracy}`,
      value: h.overall.factAccuracy.toFixed(3),
      ok: h.overall.factAccuracy >= TARGETS.factAccuracy,
    },
    {
      label: `intent accuracy ≥ ${TARGETS.intentAccuracy}`,
      value: h.overall.intentAccuracy.toFixed(3),
      ok: h.overall.intentAccuracy >= TARGETS.intentAccuracy,
    },
  ];
  if (acc && unacc) {
    for (const key of ["hit3", "factAccuracy"] as const) {
      const gap = acc[key] - unacc[key];
      checks.push({
        label: `unaccented ${key} within ${TARGETS.unaccentedGap * 100} points of accented`,
        value: `${pct(acc[key])} vs ${pct(unacc[key])}`,
        ok: gap <= TARGETS.unaccentedGap,
      });
    }
  }
  for (const tag of ["unaccented", "colloquial"]) {
    const a = h.byTag.get(tag);
    const b = run.baseline.byTag.get(tag);
    if (!a || !b) continue;
    checks.push({
      // "Beats": no worse on any of the three and better on at least one.
      label: `hybrid beats BM25 on ${tag} (hit@3, MRR, facts)`,
      value: `${pct(a.hit3)}/${pct(a.mrr)}/${pct(a.factAccuracy)} vs ${pct(b.hit3)}/${pct(b.mrr)}/${pct(b.factAccuracy)}`,
      ok:
        a.hit3 >= b.hit3 && a.mrr >= b.mrr && a.factAccuracy >= b.factAccuracy &&
        (a.hit3 > b.hit3 || a.mrr > b.mrr || a.factAccuracy > b.factAccuracy),
    });
  }
  return checks;
}

function row(label: string, m: Metrics): string {
  return `| ${label} | ${m.n} | ${pct(m.hit1)} | ${pct(m.hit3)} | ${pct(m.mrr)} | ${pct(m.factAccuracy)} | ${pct(m.intentAccuracy)} |`;
}

const HEADER = "| | n | hit@1 | hit@3 | MRR | facts | intent |\n|---|---:|---:|---:|---:|---:|---:|";

function tagTable(s: SystemResults, tags: string[]): string {
  return [HEADER, ...tags.flatMap((t) => (s.byTag.has(t) ? [row(t, s.byTag.get(t)!)] : []))].join("\n");
}

/** Why a question failed: an expected document outside the top 3, a missing fact, a wrong intent. */
function failureReasons(r: QuestionResult): string[] {
  const why: string[] = [];
  if (r.q.expected_docs.length && (r.rank === undefined || r.rank > 3)) why.push(`rank ${r.rank ?? "—"} (want ${r.q.expected_docs.join(", ")})`);
  if (r.factsOk === false) why.push(`facts missing: ${r.missingFacts.map((f) => `\`${f}\``).join(", ")}`);
  if (r.intent !== r.q.intent) why.push(`intent ${r.intent} (want ${r.q.intent})`);
  return why;
}

function failureLine(r: QuestionResult): string {
  const answer = r.answer.split("\n")[0]!.slice(0, 160).replace(/\|/g, "/");
  return `- **${r.q.id}** ${r.q.question.replace(/\|/g, "/")} — ${failureReasons(r).join("; ")}\n  - retrieved: ${r.retrieved.join(" · ") || "—"}\n  - answered: ${answer}`;
}

function isFailure(r: QuestionResult): boolean {
  return failureReasons(r).length > 0;
}

/** The real-message set's table and its failures (test half: never tuned on). */
export function realReportMarkdown(run: RealRun): string {
  const line = (name: string, m: RealMetrics) =>
    `| ${name} | ${m.n} | ${m.positives} | ${pct(m.allOk)} | ${pct(m.facts)} | ${pct(m.sources)} | ${m.negatives} | ${pct(m.negativesHandled)} | ${pct(m.wrongConfident)} |`;
  const failures = run.results.filter((r) => !r.ok).slice(0, 200);
  const show = (s: string, n: number) => s.replace(/\s+/g, " ").replace(/\|/g, "/").slice(0, n);
  return `## Real messages (\`eval/real.jsonl\`)

Messages copied from public Q&A columns, law-firm pages, forums and news, plus negatives (small talk,
off-topic, questions the knowledge does not cover). **all-ok**: every fact, a listed document cited, nothing
outdated stated, and confident. **negatives handled**: not answered as if covered. **wrong-confident**:
a confident answer that is wrong (positives) or that answers a negative as if covered, over all messages.
The test half is never tuned on.

| half | messages | positives | all-ok | facts | sources | negatives | negatives handled | wrong-confident |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${line("dev", run.dev)}
${line("test", run.test)}

### Failures (${failures.length} shown)

| id | half | kind | message | reply | facts | sources |
|---|---|---|---|---|---|---|
${failures.map((r) => `| ${r.m.id} | ${r.m.split} | ${r.m.kind} | ${show(r.m.text, 90)} | ${show(r.reply.text, 90)} | ${r.factsOk ? "ok" : "miss"} | ${r.sourcesOk ? "ok" : "miss"} |`).join("\n")}
`;
}

export function reportMarkdown(run: EvalRun, chartFile: string, real?: RealRun): string {
  const { hybrid, baseline } = run;
  const subsets = ["accented", "unaccented", "colloquial", "typo", "english"];
  const topics = [...hybrid.byTag.keys()].filter((t) => t.startsWith("topic:"));
  const failures = hybrid.results.filter(isFailure);
  const p = (q: number) => quantileMs(hybrid.results, q, 1);
  return `# Evaluation report

Generated by \`npm run eval\` over \`eval/questions.jsonl\` (${run.questions} questions). Scores are percentages.
hit@k and MRR count a retrieved unit as a hit when it cites one of the question's expected documents
(over the ${hybrid.overall.nRetrieval} questions that name one); facts are the question's regular
expressions over the diacritic-folded answer with its citations (${hybrid.overall.nFacts} questions);
intent is over all questions.

- **hybrid**: the engine as channels call it — dictionary-normalised keyword ranking (MiniSearch BM25)
  and the HNSWLib lexical-vector index fused by reciprocal rank fusion, document-number boost,
  coverage re-ranking, intent rules.
- **bm25**: plain BM25 (MiniSearch, default tokenizer: lower-cased words, diacritics kept, no
  dictionary, no vectors, no re-ranking) over the same units, answered by the same composer and rules.

![hybrid vs BM25](${chartFile})

## Acceptance targets

${checkTargets(run)
  .map((c) => `- [${c.ok ? "x" : " "}] ${c.label}: ${c.value}`)
  .join("\n")}

Longest answer with citations: ${run.longestAnswer} characters (limit 1,500).
In-process time per question during this run: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms (see \`eval/bench.md\` for the benchmark).

## Overall

${HEADER}
${row("hybrid", hybrid.overall)}
${row("bm25", baseline.overall)}

${real ? realReportMarkdown(real) : ""}
## By subset — hybrid

${tagTable(hybrid, subsets)}

## By subset — bm25

${tagTable(baseline, subsets)}

## By topic — hybrid

${tagTable(hybrid, topics)}

## Failures — hybrid (${failures.length})

A failure is an expected document outside the top 3, a missing fact, or a wrong intent.

${failures.map(failureLine).join("\n") || "None."}
`;
}

/** Grouped bars: hybrid vs BM25 on the overall metrics and on hit@3 per subset. */
export function reportSvg(run: EvalRun): string {
  const groups: Array<{ label: string; a: number; b: number }> = [
    { label: "hit@1", a: run.hybrid.overall.hit1, b: run.baseline.overall.hit1 },
    { label: "hit@3", a: run.hybrid.overall.hit3, b: run.baseline.overall.hit3 },
    { label: "MRR", a: run.hybrid.overall.mrr, b: run.baseline.overall.mrr },
    { label: "facts", a: run.hybrid.overall.factAccuracy, b: run.baseline.overall.factAccuracy },
    { label: "intent", a: run.hybrid.overall.intentAccuracy, b: run.baseline.overall.intentAccuracy },
  ];
  for (const tag of ["accented", "unaccented", "colloquial", "english"]) {
    const a = run.hybrid.byTag.get(tag);
    const b = run.baseline.byTag.get(tag);
    if (a && b) groups.push({ label: `hit@3 ${tag}`, a: a.hit3, b: b.hit3 });
  }
  const W = 80;
  const H = 220;
  const left = 40;
  const top = 40;
  const width = left + groups.length * W + 20;
  const height = top + H + 60;
  const y = (v: number) => top + H - v * H;
  const bars = groups
    .map((g, i) => {
      const x = left + i * W + 10;
      return [
        `<rect x="${x}" y="${y(g.a).toFixed(1)}" width="28" height="${(g.a * H).toFixed(1)}" fill="#2b6cb0"/>`,
        `<rect x="${x + 30}" y="${y(g.b).toFixed(1)}" width="28" height="${(g.b * H).toFixed(1)}" fill="#a0aec0"/>`,
        `<text x="${x + 14}" y="${(y(g.a) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${Math.round(g.a * 100)}</text>`,
        `<text x="${x + 44}" y="${(y(g.b) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${Math.round(g.b * 100)}</text>`,
        `<text x="${x + 29}" y="${top + H + 16}" font-size="11" text-anchor="middle">${g.label.split(" ")[0]}</text>`,
        g.label.includes(" ") ? `<text x="${x + 29}" y="${top + H + 30}" font-size="11" text-anchor="middle">${g.label.split(" ")[1]}</text>` : "",
      ].join("");
    })
    .join("\n");
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((v) => `<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/><text x="${left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v * 100}</text>`)
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${left}" y="20" font-size="14" font-weight="bold">Hybrid retrieval vs plain BM25 (${run.questions} questions, %)</text>
<rect x="${width - 190}" y="8" width="12" height="12" fill="#2b6cb0"/><text x="${width - 174}" y="18" font-size="11">hybrid</text>
<rect x="${width - 120}" y="8" width="12" height="12" fill="#a0aec0"/><text x="${width - 104}" y="18" font-size="11">BM25</text>
${grid}
${bars}
</svg>
`;
}

/** Milliseconds at a quantile of a run's per-question times. */
function quantileMs(results: QuestionResult[], q: number, digits = 0): string {
  return percentile(results.map((r) => r.ms).sort((a, b) => a - b), q)?.toFixed(digits) ?? "—";
}

/** `npm run eval -- --llm`: the offline engine and the LLM mode side by side. */
export function llmReportMarkdown(run: EvalRun, llmRun: LlmModeRun, model: string): string {
  const subsets = ["accented", "unaccented", "colloquial", "typo", "english"];
  const sideBySide = (tags: string[]) =>
    [HEADER, ...tags.flatMap((t) => [
      ...(run.hybrid.byTag.has(t) ? [row(`offline ${t}`, run.hybrid.byTag.get(t)!)] : []),
      ...(llmRun.llm.byTag.has(t) ? [row(`llm ${t}`, llmRun.llm.byTag.get(t)!)] : []),
    ])].join("\n");
  const reasons = Object.entries(llmRun.fallbacks).sort((a, b) => b[1] - a[1]);
  const failures = llmRun.llm.results.filter(isFailure);
  return `# Evaluation report — LLM mode

Generated by \`npm run eval -- --llm\` with model \`${model}\` over \`eval/questions.jsonl\`
(${run.questions} questions). Retrieval ranks are the same in both modes (one retriever); facts and
intent are scored on the answer each mode sent. A model answer that fails the grounding gate is
replaced by the offline answer, so the two modes differ only on questions where a model
answer passed the gate.

## Overall

${HEADER}
${row("offline", run.hybrid.overall)}
${row("llm", llmRun.llm.overall)}

Answered with the model's text: ${pct(llmRun.llmShare)} %. Offline answers sent instead:
${reasons.map(([r, n]) => `${r} ${n}`).join(", ") || "none"}.
Time per question: offline p50 ${quantileMs(run.hybrid.results, 0.5)} ms, p95 ${quantileMs(run.hybrid.results, 0.95)} ms;
LLM mode p50 ${quantileMs(llmRun.llm.results, 0.5)} ms, p95 ${quantileMs(llmRun.llm.results, 0.95)} ms.

## By subset

${sideBySide(subsets)}

## Failures — LLM mode (${failures.length})

${failures.map(failureLine).join("\n") || "None."}
`;
}

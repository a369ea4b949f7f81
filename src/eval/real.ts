/**
 * The real-message set (`eval/real.jsonl`): messages copied verbatim from public Q&A
 * columns, law-firm advice pages, forum posts and worker quotes in news, each with its
 * source, plus negatives — small talk, off-topic questions, and questions about working
 * abroad that the knowledge does not cover. Expected facts and documents are the rules in
 * force today, not the ones the published answer cited.
 *
 * It is split once, by a fixed hash of each id, into a dev half (tune on it) and a test
 * half (report it, never tune on it).
 *
 * What counts, per message:
 * - positive: **ok** = every fact pattern matches the folded answer with its citations, a
 *   listed document is cited, no `must_not` pattern matches, and the reply is confident;
 *   **wrong-confident** = confident but not ok.
 * - uncovered / off_topic / small_talk: **handled** = not answered as if covered (no
 *   confident reply with citations); an uncovered message that lists facts (whom to ask)
 *   must also match them. **wrong-confident** = a confident reply with citations.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Engine } from "../engine/engine.ts";
import type { Reply } from "../contract.ts";
import { renderPlain } from "../channels/render.ts";
import { fold } from "../text/normalize.ts";

const pattern = z.string().refine((p) => {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

export const realMessageSchema = z.object({
  id: z.string().min(1),
  split: z.enum(["dev", "test"]),
  kind: z.enum(["positive", "uncovered", "off_topic", "small_talk"]),
  text: z.string().min(1),
  /** The page it was copied from, or "written" for small talk written the way people type. */
  source: z.string().min(1),
  /** What the person really asks, main question first (English). */
  asks: z.array(z.string()),
  intent: z.string(),
  expected_docs: z.array(z.string()),
  facts: z.array(pattern),
  must_not: z.array(pattern).default([]),
  /** The right answer today, and the outdated rule a published answer relied on. */
  answer_today: z.string().nullable().optional(),
  tags: z.array(z.string()),
});
export type RealMessage = z.infer<typeof realMessageSchema>;

export function loadRealMessages(file: string): RealMessage[] {
  const out: RealMessage[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      const parsed = realMessageSchema.safeParse(JSON.parse(line));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new Error(`${file}:${i + 1}: field "${issue.path.join(".")}": ${issue.message}`);
      }
      out.push(parsed.data);
    });
  return out;
}

export interface RealResult {
  m: RealMessage;
  reply: Reply;
  /** The rendered answer (text and citation lines), as the person reads it. */
  answer: string;
  factsOk: boolean;
  sourcesOk: boolean;
  mustNotHit: string[];
  /** positive: fully right; negative: handled as not covered. */
  ok: boolean;
  wrongConfident: boolean;
  ms: number;
}

export interface RealMetrics {
  n: number;
  positives: number;
  negatives: number;
  /** Share of positives fully right. */
  allOk: number;
  facts: number;
  sources: number;
  /** Share of negatives handled as not covered. */
  negativesHandled: number;
  /** Share of all messages answered confidently and wrongly. */
  wrongConfident: number;
}

function scoreOne(engine: Engine, m: RealMessage, reply: Reply, ms: number): RealResult {
  const answer = renderPlain(reply, engine.index.kb);
  const folded = fold(answer);
  const factsOk = m.facts.every((p) => new RegExp(p).test(folded));
  const sourcesOk = m.expected_docs.length === 0 || reply.citations.some((c) => m.expected_docs.includes(c.doc));
  const mustNotHit = m.must_not.filter((p) => new RegExp(p).test(folded));
  if (m.kind === "positive") {
    const right = factsOk && sourcesOk && mustNotHit.length === 0;
    return { m, reply, answer, factsOk, sourcesOk, mustNotHit, ok: right && reply.confident, wrongConfident: reply.confident && !right, ms };
  }
  const answeredAsCovered = reply.confident && reply.citations.length > 0;
  const ok = !answeredAsCovered && (m.kind !== "uncovered" || m.facts.length === 0 || factsOk) && mustNotHit.length === 0;
  return { m, reply, answer, factsOk, sourcesOk, mustNotHit, ok, wrongConfident: answeredAsCovered, ms };
}

export function realMetricsOf(results: RealResult[]): RealMetrics {
  const pos = results.filter((r) => r.m.kind === "positive");
  const neg = results.filter((r) => r.m.kind !== "positive");
  const share = (xs: RealResult[], f: (r: RealResult) => boolean) => (xs.length ? xs.filter(f).length / xs.length : 0);
  return {
    n: results.length,
    positives: pos.length,
    negatives: neg.length,
    allOk: share(pos, (r) => r.ok),
    facts: share(pos, (r) => r.factsOk),
    sources: share(pos, (r) => r.sourcesOk),
    negativesHandled: share(neg, (r) => r.ok),
    wrongConfident: share(results, (r) => r.wrongConfident),
  };
}

export interface RealRun {
  results: RealResult[];
  dev: RealMetrics;
  test: RealMetrics;
}

/** Every message through the engine as a channel would send it, one person per message. */
export async function runReal(engine: Engine, messages: RealMessage[]): Promise<RealRun> {
  const results: RealResult[] = [];
  for (const m of messages) {
    const started = performance.now();
    const reply = await engine.handle({ channel: "cli", userId: `real-${m.id}`, text: m.text });
    results.push(scoreOne(engine, m, reply, performance.now() - started));
  }
  return {
    results,
    dev: realMetricsOf(results.filter((r) => r.m.split === "dev")),
    test: realMetricsOf(results.filter((r) => r.m.split === "test")),
  };
}

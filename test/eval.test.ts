import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { loadQuestions, type EvalQuestion } from "../src/eval/dataset.ts";
import { loadRealMessages } from "../src/eval/real.ts";
import { PlainBm25 } from "../src/eval/baseline.ts";
import { checkTargets, reportMarkdown, reportSvg } from "../src/eval/report.ts";
import { metricsOf, runEval, type EvalRun, type QuestionResult } from "../src/eval/run.ts";
import { writeSyntheticKnowledge } from "../src/eval/synthetic.ts";
import { fold } from "../src/text/normalize.ts";
import { KNOWLEDGE_DIR, ROOT, realEngine, tempDir } from "./helpers.ts";
import type { Engine } from "../src/engine/engine.ts";

const QUESTIONS = join(ROOT, "eval", "questions.jsonl");

let engine: Engine;
let questions: EvalQuestion[];
let run: EvalRun;
beforeAll(async () => {
  engine = await realEngine();
  questions = loadQuestions(QUESTIONS);
  run = await runEval(engine, questions);
}, 120_000);

describe("the evaluation set", () => {
  it("has at least 200 questions, 30 % unaccented, some English, typos and colloquial ones", () => {
    const share = (tag: string) => questions.filter((q) => q.tags.includes(tag)).length / questions.length;
    expect(questions.length).toBeGreaterThanOrEqual(200);
    expect(share("unaccented")).toBeGreaterThanOrEqual(0.3);
    for (const tag of ["english", "typo", "colloquial"]) expect(share(tag), tag).toBeGreaterThan(0);
  });

  it("covers every topic of the knowledge base", async () => {
    const kb = await loadKnowledge(KNOWLEDGE_DIR);
    const topics = new Set(kb.cards.flatMap((c) => c.meta.topics));
    const asked = new Set(questions.flatMap((q) => q.tags.filter((t) => t.startsWith("topic:")).map((t) => t.slice(6))));
    expect([...topics].filter((t) => !asked.has(t))).toEqual([]);
  });

  it("names only documents the registry knows", () => {
    const unknown = questions.flatMap((q) => q.expected_docs).filter((d) => !engine.index.kb.documents.has(d));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it("is not special-cased: no question appears in the code, the knowledge, the vocabulary or the wording", async () => {
    const { readdirSync, statSync } = await import("node:fs");
    const files: string[] = [];
    const walk = (dir: string, exts: string[]) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path, exts);
        else if (exts.some((e) => path.endsWith(e))) files.push(path);
      }
    };
    walk(join(ROOT, "src"), [".ts"]);
    walk(join(ROOT, "knowledge"), [".md", ".yaml"]);
    walk(join(ROOT, "prompts"), [".yaml"]);
    // Compared as folded words, so punctuation and spacing do not hide a copy.
    const words = (text: string) => ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;
    const corpus = words(files.map((f) => readFileSync(f, "utf8")).join("\n"));
    const real = loadRealMessages(join(ROOT, "eval", "real.jsonl")).map((m) => ({ id: m.id, question: m.text }));
    const found = [...questions, ...real].filter((q) => fold(q.question).split(" ").length >= 4 && corpus.includes(words(q.question)));
    expect(found.map((q) => q.id)).toEqual([]);
  });

  it("rejects a malformed line with its line number and field", async () => {
    const dir = await tempDir();
    const file = join(dir.path, "q.jsonl");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, `${readFileSync(QUESTIONS, "utf8").split("\n")[0]}\n{"id":"x","question":"a","tags":["t"],"expected_docs":[],"facts":["("],"intent":"qa"}\n`);
    expect(() => loadQuestions(file)).toThrow(/q\.jsonl:2: field "facts\.0"/);
    await dir.cleanup();
  });
});

describe("metrics", () => {
  const q = (id: string, docs: string[]): EvalQuestion => ({ id, question: id, tags: ["accented"], expected_docs: docs, facts: ["x"], intent: "qa" });
  const r = (id: string, rank: number | undefined, factsOk: boolean, intent: "qa" | "loan"): QuestionResult => ({
    q: q(id, ["D"]), rank, factsOk, missingFacts: [], intent, answer: "", retrieved: [], ms: 1,
  });

  it("computes hit@1, hit@3, MRR, fact and intent accuracy", () => {
    const m = metricsOf([r("a", 1, true, "qa"), r("b", 2, false, "qa"), r("c", 4, true, "loan"), r("d", undefined, true, "qa")]);
    expect(m.hit1).toBe(0.25);
    expect(m.hit3).toBe(0.5);
    expect(m.mrr).toBeCloseTo((1 + 0.5 + 0.25) / 4);
    expect(m.factAccuracy).toBe(0.75);
    expect(m.intentAccuracy).toBe(0.75);
  });
});

describe("npm run eval on the real knowledge", () => {
  it("meets issue #4's targets: hit@3, facts, intent, unaccented gap, hybrid beats BM25", () => {
    const missed = checkTargets(run).filter((c) => !c.ok);
    expect(missed).toEqual([]);
  });

  it("keeps every answer with its citations under 1,500 characters", () => {
    expect(run.longestAnswer).toBeLessThanOrEqual(1500);
  });

  it("scores facts on the diacritic-folded answer: a pattern written without diacritics matches, one with them cannot", async () => {
    const ask = (facts: string[]): EvalQuestion => ({
      id: "t", question: "đi Đài Loan làm nhà máy phải ký quỹ bao nhiêu", tags: ["accented"], expected_docs: ["Nghị định 112/2021/NĐ-CP"], facts, intent: "deposit",
    });
    const [folded, accented] = await Promise.all([runEval(engine, [ask(["12 trieu"])]), runEval(engine, [ask(["12 triệu"])])]);
    expect(folded.hybrid.results[0]!.answer).toContain("12 triệu");
    expect(folded.hybrid.results[0]!.factsOk).toBe(true);
    expect(accented.hybrid.results[0]!.factsOk).toBe(false);
    expect(accented.hybrid.results[0]!.missingFacts).toEqual(["12 triệu"]);
  });

  it("writes a report with per-tag tables, failures and a chart", () => {
    const md = reportMarkdown(run, "report.svg");
    for (const heading of ["## Overall", "## By subset — hybrid", "## By subset — bm25", "## By topic — hybrid", "## Failures"]) {
      expect(md).toContain(heading);
    }
    expect(md).toMatch(/\| hybrid \| \d+ \|/);
    const svg = reportSvg(run);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("hit@3");
  });

  it("has a BM25 baseline that ranks on raw words (an unaccented query misses accented text)", () => {
    const bm25 = new PlainBm25(engine.index);
    expect(bm25.search("Đài Loan ký quỹ", 3).length).toBeGreaterThan(0);
    const accented = bm25.search("ký quỹ", 20).map((h) => h.key);
    const plain = bm25.search("ky quy", 20).map((h) => h.key);
    expect(plain).not.toEqual(accented);
  });
});

describe("synthetic corpus for the benchmark", () => {
  it("copies every card and source under new ids and still loads", async () => {
    const dir = await tempDir();
    await writeSyntheticKnowledge(KNOWLEDGE_DIR, join(dir.path, "k"), 2);
    const [one, two] = await Promise.all([loadKnowledge(KNOWLEDGE_DIR), loadKnowledge(join(dir.path, "k"))]);
    expect(two.cards.length).toBe(one.cards.length * 2);
    expect(two.sources.length).toBe(one.sources.length * 2);
    await dir.cleanup();
  }, 60_000);
});

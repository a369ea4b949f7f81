/**
 * The shape of src/, checked: imports run one way (down the layers below) with no cycles;
 * wording, vocabulary, market names and legal figures live in prompts/ and knowledge/,
 * not in code. A newcomer reading a module can rely on this.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { KNOWLEDGE_DIR, ROOT } from "./helpers.ts";

const SRC = join(ROOT, "src");

/**
 * Layers, lowest first. A module may import its own layer or lower ones. The order is the
 * one in docs/architecture.md.
 */
const LAYERS: Array<[number, RegExp]> = [
  [0, /^(text\/|logger\.ts$|config\.ts$|metrics\.ts$|store\/)/],
  [1, /^knowledge\//],
  [2, /^(contract\.ts$|retrieval\/|understanding\/)/],
  [3, /^skills\//],
  [4, /^registration\//],
  [5, /^llm\//],
  [6, /^engine\//],
  [7, /^channels\//],
  [8, /^(main\.ts$|data-files\.ts$|cli\/|eval\/|testing\/)/],
];

function layerOf(file: string): number {
  const found = LAYERS.find(([, re]) => re.test(file));
  if (!found) throw new Error(`${file} is in no layer: add its folder to LAYERS (and to docs/architecture.md)`);
  return found[0];
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

function importsOf(file: string): string[] {
  const code = readFileSync(join(SRC, file), "utf8");
  return [...code.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms), ...code.matchAll(/import\("(\.{1,2}\/[^"]+)"\)/g)].map((m) =>
    relative(SRC, join(SRC, dirname(file), m[1]!)),
  );
}

/** Code without comments (JSDoc examples and notes may quote Vietnamese). */
function codeOf(file: string): string {
  return readFileSync(join(SRC, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** String, template and regular-expression literals of the code. */
function literalsOf(code: string): string[] {
  return [...code.matchAll(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|\/(?![*/])(?:[^/\\\n[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+\/[gimsuy]*/g)].map((m) => m[0]);
}

/** Letters only Vietnamese uses (with its tone and vowel marks). */
const VIETNAMESE = /[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]/i;

/**
 * Where Vietnamese words may be in code: the language mechanics of src/text (units, number
 * words, folding, figures in prose), the parsers of the knowledge format whose syntax is
 * Vietnamese (headings "Điều", "Mục", "## Chi tiết" — docs/knowledge-format.md), and what
 * simulated users type in the load test and fakes.
 */
const VIETNAMESE_ALLOWED: RegExp[] = [/^text\//, /^knowledge\/(chunk|load)\.ts$/, /^cli\/load(-kill)?\.ts$/, /^testing\//];

describe("imports", () => {
  const files = sourceFiles();

  it("run down the layers only", () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const target of importsOf(file)) {
        if (layerOf(target) > layerOf(file)) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("have no cycles", () => {
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

describe("data, not code", () => {
  const files = sourceFiles();

  it("keeps user-facing Vietnamese out of src/ (it lives in prompts/ and knowledge/)", () => {
    const found: string[] = [];
    for (const file of files) {
      if (VIETNAMESE_ALLOWED.some((re) => re.test(file))) continue;
      for (const literal of literalsOf(codeOf(file))) if (VIETNAMESE.test(literal)) found.push(`${file}: ${literal.slice(0, 80)}`);
    }
    expect(found).toEqual([]);
  });

  it("names no market in code: market ids and names come from knowledge/markets.yaml", async () => {
    const kb = await loadKnowledge(KNOWLEDGE_DIR);
    // "other" is also an ordinary word of code; every other id is a market's own.
    const ids = new Set(kb.markets.ids.filter((id) => id !== "other"));
    const found: string[] = [];
    for (const file of files) {
      for (const literal of literalsOf(codeOf(file))) {
        const word = literal.slice(1, -1);
        if (ids.has(word)) found.push(`${file}: ${literal}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("writes no legal figure in code: every amount lives once, in knowledge/facts", async () => {
    const kb = await loadKnowledge(KNOWLEDGE_DIR);
    const code = files.filter((f) => !VIETNAMESE_ALLOWED.slice(1).some((re) => re.test(f))).map((f) => codeOf(f)).join("\n");
    const found: string[] = [];
    for (const fact of kb.facts) {
      if (fact.unit !== "VND" || fact.value < 1_000_000) continue;
      const v = fact.value;
      for (const form of [String(v), v.toLocaleString("vi-VN"), v.toLocaleString("en-US").replace(/,/g, "_"), `${v / 1e6}tr`]) {
        if (new RegExp(`(?<![\\dx.,_])${form.replace(/\./g, "\\.")}(?![\\d.,_])`).test(code)) found.push(`${fact.id}: ${form}`);
      }
    }
    expect(found).toEqual([]);
  });
});

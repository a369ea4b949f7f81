import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import type { DataFiles } from "../src/knowledge/texts.ts";
import { toCitations } from "../src/knowledge/cite.ts";
import { parsePriorityGroup } from "../src/knowledge/priority-groups.ts";
import { validateSkillData } from "../src/skills/skill.ts";
import { loanSkill, loanTexts } from "../src/skills/loan/index.ts";
import { loanGuidance, type LoanGuidanceInput, type LoanGuidanceOutput } from "../src/skills/loan/guidance.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { isMoney, parseAmount } from "../src/text/amount.ts";
import { fill, formatVnd, textRoom } from "../src/text/wording.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

const TODAY = "2026-12-01";
const VI_DIACRITICS = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;

runSkillContract(loanSkill, {
  knowledge: () => kb,
  today: TODAY,
  inputs: [
    {},
    { amountWanted: 250_000_000 },
    { amountWanted: 200_000_000, priorityGroup: "poor" },
    { amountWanted: "150tr", market: "Nhật" },
    { priorityGroup: "demobilised_soldier", market: "Hàn Quốc" },
    { eps: true, amountWanted: "120tr" },
    { market: "EPS", amountWanted: 90_000_000 },
    { history: true, amountWanted: "150 triệu", priorityGroup: "near_poor" },
    { amountWanted: "$5000" },
    { amountWanted: "3 tháng lương", priorityGroup: "none" },
    // Everything at once: the longest answer the tool gives.
    { eps: true, history: true, amountWanted: "250tr", priorityGroup: "ethnic_minority", market: "Hàn Quốc" },
  ],
  messages: [
    "vay 150 triệu đi Nhật có cần thế chấp không",
    "hộ nghèo vay 300 triệu được không",
    "vay 250tr đi hàn theo eps",
    "dan toc thieu so vay 100tr co can the chap ko",
  ],
  notForIt: ["vay vốn cần giấy tờ gì", "lãi suất vay vốn đi xuất khẩu lao động là bao nhiêu", "vay 5000 đô được không"],
});

/** A copy of the knowledge whose wording (texts) or words (vocabulary) file `name` is changed. */
function withData(kind: "texts" | "vocabulary", name: string, change: (data: Record<string, any>) => void): KnowledgeBase {
  const files: DataFiles = { dir: kb[kind].dir, files: new Map(kb[kind].files) };
  const entry = files.files.get(name)!;
  const data = structuredClone(entry.data) as Record<string, any>;
  change(data);
  files.files.set(name, { file: entry.file, data });
  return { ...kb, [kind]: files };
}

function ok(out: LoanGuidanceOutput) {
  if (out.status !== "ok") throw new Error(`expected ok, got need_info: ${out.answer.text}`);
  return out;
}

describe("loan guidance: wording and words are data", () => {
  it("says what prompts/skills/loan.yaml says, with the figures filled from the facts", () => {
    const changed = withData("texts", "skills/loan", (d) => {
      d.collateral.exclusive = "NGƯỠNG {threshold} (đổi trong prompts).";
      d.hedge.current = "Hỏi {who} (đổi trong prompts).";
    });
    const threshold = kb.facts.find((f) => f.id === "loan.collateralThreshold.current")!.value;
    const out = ok(loanGuidance(changed, { asOf: TODAY }));
    expect(out.answer.text).toContain(`NGƯỠNG ${formatVnd(threshold)} (đổi trong prompts).`);
    expect(out.answer.text.split("\n").at(-1)).toMatch(/^Hỏi .+ \(đổi trong prompts\)\.$/);
    // The knowledge as shipped says it its own way.
    expect(ok(loanGuidance(kb, { asOf: TODAY })).answer.text).not.toContain("đổi trong prompts");
  });

  it("fails with the file and the key when a sentence is missing", () => {
    const missing = withData("texts", "skills/loan", (d) => {
      delete d.eps.mention;
    });
    expect(() => loanTexts(missing)).toThrow(/skills\/loan\.yaml: field "eps\.mention"/);
    expect(() => validateSkillData(missing, [loanSkill])).toThrow(/eps\.mention/);
    const noGroup = withData("texts", "skills/loan", (d) => {
      delete d.groups.land_revoked;
    });
    expect(() => loanTexts(noGroup)).toThrow(/field "groups\.land_revoked"/);
  });

  it("reads priority groups with the words of knowledge/vocabulary/priority-groups.yaml", () => {
    expect(parsePriorityGroup(kb, "hộ khó khăn")).toBeUndefined();
    const more = withData("vocabulary", "priority-groups", (d) => {
      d.groups.splice(1, 0, { group: "poor", pattern: "\\bho kho khan\\b" });
    });
    expect(parsePriorityGroup(more, "hộ khó khăn")).toBe("poor");
    expect(loanSkill.read!(more, "hộ khó khăn vay 300 triệu")?.priorityGroup).toBe("poor");
    const broken = withData("vocabulary", "priority-groups", (d) => {
      d.groups[0].pattern = "(";
    });
    expect(() => parsePriorityGroup(broken, "ho ngheo")).toThrow(/priority-groups\.yaml: field "groups\.0\.pattern": not a valid pattern/);
  });

  it("decides whether a threshold counts itself by the words of knowledge/vocabulary/loan.yaml", () => {
    const thr = kb.facts.find((f) => f.id === "loan.collateralThreshold.current")!.value;
    expect(ok(loanGuidance(kb, { asOf: TODAY, amountWanted: thr })).result.collateral).toMatchObject({ inclusive: false, required: false });
    // A vocabulary that reads today's label ("trên mức này") as inclusive makes the threshold itself need collateral.
    const inclusive = withData("vocabulary", "loan", (d) => {
      d.inclusive_threshold = "\\btren muc nay\\b";
    });
    const out = ok(loanGuidance(inclusive, { asOf: TODAY, amountWanted: thr }));
    expect(out.result.collateral).toMatchObject({ inclusive: true, required: true });
    expect(out.answer.text).toContain(fill(loanTexts(kb).collateral.inclusive, { threshold: formatVnd(thr) }));
  });

  it("writes no figure in its sentences: amounts, percents and terms are placeholders", () => {
    const t = loanTexts(kb);
    const { need_info, amount, ...rest } = t;
    const flat = (v: unknown): string[] => (typeof v === "string" ? [v] : Object.values(v as object).flatMap(flat));
    const { asks, ...needInfoRest } = need_info;
    const { unreadable, ...amountRest } = amount;
    for (const text of flat([rest, needInfoRest, amountRest])) expect(text.replace(/\{\w+\}/g, ""), text).not.toMatch(/\d/);
    // The examples of how to write an amount are not figures of the loan rules.
    const figures = new Set(kb.facts.filter((f) => /^(loan|eps)\./.test(f.id) && f.unit === "VND").map((f) => f.value));
    for (const text of [asks.amount, unreadable]) {
      for (const part of text.split(/,|hoặc/)) {
        const a = parseAmount(part);
        if (isMoney(a)) expect(figures.has(a.value), part).toBe(false);
      }
    }
  });

  it("names the EPS loan's market and programme from the facts and knowledge/markets.yaml, not from code", () => {
    const epsLoan = kb.facts.find((f) => f.id === "eps.depositLoan.max")!;
    const epsMarket = epsLoan.applies_to!.market!;
    const mention = (k: KnowledgeBase, market: string) => ok(loanGuidance(k, { asOf: TODAY, market })).answer.text;
    const names = { market: kb.markets.nameOf(epsMarket), programme: kb.markets.programmeOf(epsMarket)!.name, max: formatVnd(epsLoan.value) };
    expect(mention(kb, kb.markets.nameOf(epsMarket))).toContain(fill(loanTexts(kb).eps.mention, names));
    // Another market, named as people write it: no EPS loan there…
    const other = kb.markets.markets.find((m) => m.id !== epsMarket && kb.markets.destination(m.name)?.market === m.id)!;
    expect(mention(kb, other.name)).not.toContain(names.max);
    // …until the fact says it applies there.
    const moved: KnowledgeBase = {
      ...kb,
      facts: kb.facts.map((f) => (f.id === epsLoan.id ? { ...f, applies_to: { ...f.applies_to, market: other.id } } : f)),
    };
    expect(mention(moved, other.name)).toContain(fill(loanTexts(kb).eps.mention, { ...names, market: kb.markets.nameOf(other.id) }));
  });
});

describe("loan guidance: bad input", () => {
  const bad: Array<[string, unknown, string[]]> = [
    ["an amount that is not a number or text", { amountWanted: { a: 1 } }, ["amount"]],
    ["a date not written year-month-day", { asOf: "1/12/2026" }, ["date"]],
    ["a market that is not text", { market: 42 }, ["market"]],
    ["EPS and history that are not yes/no", { eps: "có", history: "x" }, ["eps"]],
    ["several at once", { amountWanted: [], asOf: "hôm qua" }, ["amount", "date"]],
  ];
  for (const [label, input, asks] of bad) {
    it(`gets a plain Vietnamese question for ${label}, not a throw`, () => {
      const out = loanGuidance(kb, input as LoanGuidanceInput);
      expect(out.status).toBe("need_info");
      const t = loanTexts(kb);
      expect(out.answer.text).toMatch(VI_DIACRITICS);
      expect(out.answer.text).not.toMatch(/undefined|NaN|\[object|\{\w+\}/);
      expect(out.answer.text.startsWith(t.need_info.question.split("{")[0]!)).toBe(true);
      for (const ask of asks) {
        const key = ask as keyof typeof t.need_info.asks;
        const epsLoan = kb.facts.find((f) => f.id === "eps.depositLoan.max")!;
        const market = epsLoan.applies_to!.market!;
        const expected = fill(t.need_info.asks[key], { market: kb.markets.nameOf(market), programme: kb.markets.programmeOf(market)!.name });
        expect(out.answer.text).toContain(expected);
      }
    });
  }

  it("asks about the date when no loan rule covers it, naming the first day it knows", () => {
    const out = loanGuidance(kb, { asOf: "2010-01-01" });
    expect(out.status).toBe("need_info");
    if (out.status === "need_info") expect(out.missing).toEqual(["asOf"]);
    expect(out.answer.text).toContain("01/01/2010");
    const first = kb.facts.find((f) => f.id === "loan.collateralThreshold.old")!.valid_from;
    expect(out.answer.text).toContain(first.split("-").reverse().join("/"));
  });
});

describe("loan guidance: one reply", () => {
  it("fits every combination into one reply with its citation lines, the hedge last", () => {
    const t = loanTexts(kb);
    let longest = 0;
    for (const priorityGroup of [undefined, "poor", "relative_of_merit"] as const) {
      for (const amountWanted of [undefined, "250tr", "$100", 100_000_000]) {
        for (const eps of [undefined, true]) {
          for (const history of [undefined, true]) {
            for (const asOf of [TODAY, "2025-06-01"]) {
              const out = ok(loanGuidance(kb, { priorityGroup, amountWanted, eps, history, asOf, market: "EPS" }));
              const { text, citations, hedged } = out.answer;
              longest = Math.max(longest, text.length);
              expect(text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, citations)));
              if (hedged) expect(text.split("\n").at(-1)).toMatch(new RegExp(`^${t.hedge[out.result.regime].split("{")[0]!}`));
            }
          }
        }
      }
    }
    // The combinations include answers long enough to need fitting.
    expect(longest).toBeGreaterThan(1000);
  });

  it("leaves out the less important lines when wording grows, and keeps the verdict, where to apply and the hedge", () => {
    const long = withData("texts", "skills/loan", (d) => {
      d.papers_line = `${d.papers_line} ${"Hãy mang đủ giấy tờ. ".repeat(30)}`;
      d.term.current = `${d.term.current} ${"Hỏi ngân hàng nếu chưa rõ. ".repeat(30)}`;
    });
    const out = ok(loanGuidance(long, { asOf: TODAY, amountWanted: "250tr" }));
    expect(out.answer.text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, out.answer.citations)));
    const t = loanTexts(long);
    // What was asked (the amount's verdict) and the priority-1 lines stay: where to apply.
    expect(out.answer.text).toContain(fill(t.apply_line, { bank: out.result.whereToApply.office }));
    expect(out.answer.text).toContain(formatVnd(out.result.collateral.overBy!));
    expect(out.answer.text).not.toContain("Hỏi ngân hàng nếu chưa rõ.");
    expect(out.answer.text.split("\n").at(-1)!.startsWith(fill(t.hedge.current, { doc: out.result.doc }).split("{who}")[0]!)).toBe(true);
  });
});

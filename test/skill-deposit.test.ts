/**
 * The deposit guidance as a skill: the shared skill contract over its main cases, and what
 * is particular to it — wording and words from data, markets and programmes from
 * markets.yaml, the same deposit cap the fee check chooses, plain Vietnamese for bad
 * input, and long answers fitted into one reply.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { toCitations } from "../src/knowledge/cite.ts";
import { jobsFileSchema, MarketBook, marketsFileSchema } from "../src/knowledge/markets.ts";
import { depositSkill, depositTexts, depositVocabulary } from "../src/skills/deposit/index.ts";
import { depositGuidance, parseJob, type DepositGuidanceInput, type DepositGuidanceOutput } from "../src/skills/deposit/guidance.ts";
import { checkFees } from "../src/skills/fee/check.ts";
import { validateSkillData } from "../src/skills/skill.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { isMoney, parseAmount } from "../src/text/amount.ts";
import { fill, formatVnd, textRoom } from "../src/text/wording.ts";
import { KNOWLEDGE_DIR, withTexts } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

const TODAY = "2026-12-01";

runSkillContract(depositSkill, {
  knowledge: () => kb,
  today: TODAY,
  inputs: [
    { market: "Đài Loan", job: "nhà máy", amountAsked: "30tr" },
    // Korea without a route: the company cap and the EPS deposit, the longest answers.
    { market: "Hàn Quốc", amountAsked: "50tr" },
    { market: "Hàn Quốc", route: "direct", amountAsked: "50tr" },
    { market: "EPS", amountAsked: 120_000_000 },
    { market: "di han theo chuong trinh eps", amountAsked: "$500" },
    { market: "Nhật", amountAsked: "20 triệu" },
    { market: "Nhật Bản", route: "eps" },
    { market: "Đức", amountAsked: "40tr" },
    { market: "Malaysia" },
    { market: "Đài Loan", job: "thuyền viên tàu cá xa bờ" },
    { market: "Đài Loan", job: "tàu cá gần bờ", amountAsked: "3 tháng lương" },
    { market: "xứ sở thần tiên" },
    // Not enough to answer: asks for the market.
    { market: "  " },
  ],
  messages: [
    "công ty đòi ký quỹ 50 triệu đi Hàn Quốc",
    "ky quy 30tr di dai loan co dung ko",
    "đi Nhật mà bắt đặt cọc 20 triệu",
    "EPS ký quỹ 120 triệu có đúng không",
    "thuyền viên tàu cá xa bờ đi Đài Loan bị đòi ký quỹ 10 triệu",
  ],
  notForIt: ["ký quỹ là gì", "đi Đài Loan ký quỹ bao nhiêu", "công ty đòi ký quỹ 30 triệu có được không"],
});

/** The knowledge base with one vocabulary file's keys replaced. */
function withVocabulary(base: KnowledgeBase, name: string, override: Record<string, unknown>): KnowledgeBase {
  const files = new Map(base.vocabulary.files);
  const entry = files.get(name);
  if (!entry) throw new Error(`no vocabulary file ${name}`);
  files.set(name, { file: entry.file, data: { ...(entry.data as object), ...override } });
  return { ...base, vocabulary: { dir: base.vocabulary.dir, files } };
}

/** The knowledge base with knowledge/markets.yaml changed by `edit`. */
function withMarkets(base: KnowledgeBase, edit: (file: Record<string, any>) => void): KnowledgeBase {
  const file = parseYaml(readFileSync(join(KNOWLEDGE_DIR, "markets.yaml"), "utf8")) as Record<string, any>;
  edit(file);
  const jobs = parseYaml(readFileSync(join(KNOWLEDGE_DIR, "jobs.yaml"), "utf8"));
  return { ...base, markets: new MarketBook(marketsFileSchema.parse(file), jobsFileSchema.parse(jobs)) };
}

function ok(out: DepositGuidanceOutput) {
  if (out.status !== "ok") throw new Error(`expected ok, got need_info: ${out.answer.text}`);
  return out;
}
const run = (input: DepositGuidanceInput, base = kb) => depositGuidance(base, { asOf: TODAY, ...input });

describe("deposit guidance: wording and words are data", () => {
  it("says what prompts/skills/deposit.yaml says, filled from the facts", () => {
    const t = depositTexts(kb);
    const changed = withTexts(kb, "skills/deposit", {
      compare: { ...t.compare, within: "Được: {amount} dưới {cap}." },
      hedges: { ...t.hedges, table: "Hỏi {who}." },
    });
    const out = ok(run({ market: "Đài Loan", amountAsked: "10 triệu" }, changed));
    const cap = kb.facts.find((f) => f.id === "workerDepositCap.taiwan.other")!.value;
    expect(out.answer.text).toContain(`Được: ${formatVnd(10_000_000)} dưới ${formatVnd(cap)}.`);
    expect(out.answer.text.split("\n").at(-1)).toMatch(/^Hỏi [^{}]+\.$/);
    // The real wording, for comparison.
    expect(ok(run({ market: "Đài Loan", amountAsked: "10 triệu" })).answer.text).toContain(fill(t.compare.within, { amount: formatVnd(10_000_000), cap: formatVnd(cap) }));
  });

  it("fails by name when a sentence is missing, before any message needs it", () => {
    const { loan: _loan, ...programme } = depositTexts(kb).programme;
    const broken = withTexts(kb, "skills/deposit", { programme });
    expect(() => depositTexts(broken)).toThrow(/deposit\.yaml: field "programme\.loan"/);
    expect(() => validateSkillData(broken, [depositSkill])).toThrow(/programme\.loan/);
    const noFile = { ...kb, texts: { dir: kb.texts.dir, files: new Map([...kb.texts.files].filter(([name]) => name !== "skills/deposit")) } };
    expect(() => validateSkillData(noFile, [depositSkill])).toThrow(/skills\/deposit\.yaml: missing/);
  });

  it("reads crew jobs with the words of knowledge/vocabulary/deposit.yaml", () => {
    const crew = depositVocabulary(kb).crew;
    expect(parseJob(kb, "thuyền viên tàu cá xa bờ").job).toBe(crew.job);
    expect(parseJob(kb, "ngư dân").job).toBe("other");
    const changed = withVocabulary(kb, "deposit", { crew: { job: crew.job, pattern: "\\bngu dan\\b", not: "\\bgan bo\\b" } });
    expect(parseJob(changed, "ngư dân").job).toBe(crew.job);
    expect(parseJob(changed, "thuyền viên tàu cá xa bờ").job).toBe("other");
    expect(ok(run({ market: "Đài Loan", job: "ngư dân" }, changed)).result.cap.factId).toBe("workerDepositCap.taiwan.crew");
    // An invalid pattern or a missing key fails by name.
    expect(() => depositVocabulary(withVocabulary(kb, "deposit", { crew: { ...crew, pattern: "(" } }))).toThrow(/deposit\.yaml: field "crew\.pattern"/);
    expect(() => depositVocabulary(withVocabulary(kb, "deposit", { crew: { job: crew.job, pattern: "x" } }))).toThrow(/field "crew\.not"/);
  });

  it("names the crew rows of the deposit table by their facts' own job", () => {
    const groups = new Set(kb.facts.filter((f) => f.id.startsWith("workerDepositCap.")).map((f) => f.applies_to?.job));
    const crew = depositVocabulary(kb).crew.job;
    expect(groups.has(crew)).toBe(true);
    expect([...groups].filter((j) => j !== "all" && j !== "other")).toEqual([crew]);
  });

  it("writes no legal figure in its templates: figures come from the facts", () => {
    const figures = new Set(kb.facts.filter((f) => f.unit !== "rule").map((f) => `${f.unit}:${f.value}`));
    const flat = (v: unknown): string[] => (typeof v === "string" ? [v] : Object.values(v as object).flatMap(flat));
    const t = depositTexts(kb);
    // Examples of what to type (amounts, a date) are the only digits.
    const examples = [t.need_info.fields.amountAsked, t.need_info.fields.asOf, t.compare.unreadable, t.programme.unreadable];
    for (const text of flat(t).filter((x) => !examples.includes(x))) expect(text.replace(/\{\w+\}/g, ""), text).not.toMatch(/\d/);
    for (const text of examples) {
      for (const part of text.split(/[(),]|hoặc|ví dụ/)) {
        const amount = parseAmount(part);
        if (isMoney(amount)) expect(figures.has(`${amount.currency}:${amount.value}`), part).toBe(false);
      }
    }
  });
});

describe("deposit guidance: markets and programmes from knowledge/markets.yaml", () => {
  it("names the programme and its market as markets.yaml does", () => {
    const renamed = withMarkets(kb, (file) => {
      file.programmes[0].name = "Chương trình Thử";
      file.markets.find((m: { id: string }) => m.id === "korea").name = "Đại Hàn";
    });
    const eps = ok(run({ market: "EPS" }, renamed));
    expect(eps.result.route).toBe("eps");
    expect(eps.answer.text).toContain("Đi Đại Hàn theo Chương trình Thử, tiền ký quỹ");
    const elsewhere = ok(run({ market: "Nhật", route: "eps" }, renamed));
    expect(elsewhere.answer.text).toContain("Chương trình Thử chỉ dành cho người đi Đại Hàn.");
    const korea = ok(run({ market: "Hàn Quốc" }, renamed));
    expect(korea.answer.text).toContain("Nếu đi theo Chương trình Thử (Nhà nước đưa đi)");
  });

  it("groups a country into its table row by fact_markets", () => {
    // Malaysia moved from the Southeast Asia row to the general rule.
    const moved = withMarkets(kb, (file) => {
      file.markets.find((m: { id: string }) => m.id === "malaysia").fact_markets = ["malaysia", "other"];
    });
    expect(ok(run({ market: "Malaysia" })).result.cap.factId).toBe("workerDepositCap.southeastAsia.all");
    const out = ok(run({ market: "Malaysia" }, moved));
    expect(out.result.cap.factId).toBe("workerDepositCap.other.other");
    expect(out.result.generalRule).toBe(true);
  });

  it("says who can confirm from the card about the market, else the card of its table row", () => {
    const confirm = (id: string) => kb.cards.find((c) => c.meta.id === id)!.meta.confirm_with!;
    const hedge = (input: DepositGuidanceInput) => ok(run(input)).answer.text.split("\n").at(-1)!;
    expect(hedge({ market: "Hàn Quốc" })).toContain(confirm("money-deposit-korea"));
    expect(hedge({ market: "EPS" })).toContain(confirm("prog-eps-deposit-amount"));
    expect(hedge({ market: "Đức" })).toContain(confirm("money-deposit-other-countries"));
    expect(hedge({ market: "xứ sở thần tiên" })).toContain(confirm("money-deposit-other-countries"));
    expect(hedge({ market: "Nhật" })).toContain(confirm("money-deposit-no-deposit-markets"));
  });
});

describe("deposit guidance: the fee check's deposit cap", () => {
  it("chooses the same cap fact as the fee check for every market, job group and route", () => {
    const jobs: Array<[string | undefined, string]> = [[undefined, "other"], ["thuyền viên tàu cá xa bờ", "farfishing_crew"], ["thuyền viên tàu vận tải", "sea_transport_crew"]];
    let checked = 0;
    for (const market of kb.markets.markets) {
      const typed = market.places[0]!.phrases[0]!.replace(/^=/, "");
      expect(kb.markets.destination(typed)?.market, typed).toBe(market.id);
      for (const [jobText, job] of jobs) {
        for (const route of ["company", "eps"] as const) {
          const deposit = ok(run({ market: typed, job: jobText, route }));
          const fee = checkFees(kb, { asOf: TODAY, market: market.id, job, route, charges: [{ kind: "deposit", amount: { value: 1, currency: "VND" } }] });
          expect(deposit.result.cap.factId, `${market.id} ${job} ${route}`).toBe(fee.charges[0]!.citations[0]!.factId);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe("deposit guidance: bad input and long answers", () => {
  it("answers bad input with a plain Vietnamese question naming what to give", () => {
    const t = depositTexts(kb);
    const wrong = depositGuidance(kb, { market: 42, amountAsked: { x: 1 }, asOf: "hôm qua" } as never);
    expect(wrong.status).toBe("need_info");
    const first = wrong.answer.text.split("\n")[0]!;
    expect(first).toBe(fill(t.need_info.input, { parts: [t.need_info.fields.market, t.need_info.fields.amountAsked, t.need_info.fields.asOf].join(t.need_info.separator) }));
    expect(wrong.answer.text).not.toMatch(/undefined|\{\w+\}|Expected|invalid/i);
    const nothing = depositGuidance(kb, undefined as never);
    expect(nothing.status).toBe("need_info");
    expect(nothing.answer.text).toContain(t.need_info.fields.market);
    const empty = run({ market: "" });
    expect(empty.status === "need_info" && empty.missing).toEqual(["market"]);
    expect(empty.answer.text.split("\n")[0]).toBe(t.need_info.market);
    const tooEarly = run({ market: "Nhật", asOf: "2015-01-01" });
    expect(tooEarly.answer.text.split("\n")[0]).toBe(fill(t.need_info.no_rule_on_date, { date: "01/01/2015" }));
  });

  it("fits every answer into one reply with its citation lines, keeping the answer and the hedge", () => {
    for (const market of ["Hàn Quốc", "EPS", "Đài Loan", "Đức", "abc", "Malaysia", "Nhật"]) {
      for (const amountAsked of [undefined, "50tr", "$300", "3 tháng"]) {
        for (const route of [undefined, "company", "eps", "direct"] as const) {
          for (const job of [undefined, "thuyền viên tàu cá xa bờ", "tàu cá gần bờ"]) {
            const out = run({ market, amountAsked, route, job });
            const label = JSON.stringify({ market, amountAsked, route, job });
            expect(out.answer.text.length, label).toBeLessThanOrEqual(textRoom(toCitations(kb, out.answer.citations)));
            if (out.answer.hedged) expect(out.answer.text.split("\n").at(-1), label).toMatch(/Hãy hỏi lại [^.]+\.$/);
          }
        }
      }
    }
  });

  it("drops the least needed lines of a long answer first", () => {
    const t = depositTexts(kb);
    const out = ok(run({ market: "Hàn Quốc", route: "direct", amountAsked: "50tr" }));
    const text = out.answer.text;
    expect(text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, out.answer.citations)));
    // The cap, the comparison, the direct-contract warning and where the money goes stay…
    expect(text.split("\n")[0]).toContain(out.result.cap.phrase);
    expect(text).toContain(fill(t.compare.above, { amount: formatVnd(50_000_000), cap: formatVnd(out.result.cap.value), over: formatVnd(50_000_000 - out.result.cap.value) }));
    expect(text).toContain(t.company.blocked_account);
    expect(text).toContain(t.company.direct.split("{")[0]!);
    // …the details (when to deposit, the liquidation deadline) go first.
    expect(text).not.toContain(t.company.before_contract);
    // What was left out takes its citations with it.
    expect(out.answer.citations.map((c) => c.factId)).not.toContain("company.contractLiquidationDays");
  });
});

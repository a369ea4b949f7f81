/**
 * The fee check as a skill: the shared skill contract over its main cases, and what is
 * particular to it — wording and words from data, market buttons from markets.yaml, the
 * programme deposit from facts, and a long answer fitted into one reply.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { toCitations } from "../src/knowledge/cite.ts";
import { feeSkill, feeTexts } from "../src/skills/fee/index.ts";
import { checkFees, type FeeCheckInput } from "../src/skills/fee/check.ts";
import { skillTool } from "../src/skills/skill.ts";
import { answerFeeSlot, nextFeeStep, startFeeDialog } from "../src/skills/fee/dialog.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { parseAmount, isMoney } from "../src/text/amount.ts";
import { textRoom } from "../src/text/wording.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

const TODAY = "2026-12-01";
const VND = (value: number) => ({ value, currency: "VND" as const });

/** Ten charges at once: the reasons cannot all fit one reply. */
const manyCharges: FeeCheckInput = {
  market: "taiwan", job: "home_caregiver", contractMonths: 36, monthlySalary: VND(20_500_000),
  charges: [
    { kind: "service_fee", months: 2 }, { kind: "brokerage", amount: VND(9_000_000) }, { kind: "deposit", amount: VND(45_000_000) },
    { kind: "selection_fee", amount: VND(6_000_000) }, { kind: "package", amount: VND(160_000_000) }, { kind: "training", amount: VND(11_000_000) },
    { kind: "health_check", amount: VND(2_500_000) }, { kind: "visa_passport", amount: VND(3_500_000) }, { kind: "airfare", amount: VND(9_500_000) },
    { kind: "deposit", amount: VND(8_000_000), paidTo: "company_staff_personally" },
  ],
};

runSkillContract(feeSkill, {
  knowledge: () => kb,
  today: TODAY,
  inputs: [
    // Above the general cap (V-P only: no hedge).
    { market: "taiwan", job: "factory", contractMonths: 36, charges: [{ kind: "service_fee", months: 5 }] },
    // Within a market and job's own cap (V-S: hedged).
    { market: "taiwan", job: "home_caregiver", contractMonths: 36, charges: [{ kind: "service_fee", months: 1 }] },
    { market: "japan", job: "specified_skilled_from_intern", contractMonths: 36, charges: [{ kind: "service_fee", amount: VND(10_500_000) }] },
    { market: "middle_east", job: "domestic_worker", contractMonths: 24, charges: [{ kind: "service_fee", months: 1 }] },
    { market: "germany", contractMonths: 48, monthlySalary: { value: 2_100, currency: "EUR" }, charges: [{ kind: "service_fee", amount: { value: 5_000, currency: "EUR" } }] },
    { market: "other", charges: [{ kind: "brokerage", amount: { value: 2_100, currency: "USD" } }] },
    { market: "korea", route: "eps", charges: [{ kind: "deposit", amount: VND(150_500_000) }] },
    { market: "korea", route: "company", charges: [{ kind: "deposit", amount: VND(35_500_000) }] },
    { market: "europe", airfarePrice: VND(14_500_000), charges: [{ kind: "deposit", amount: VND(19_500_000) }] },
    { market: "malaysia", charges: [{ kind: "deposit", amount: VND(5_500_000) }] },
    { market: "taiwan", extension: true, contractMonths: 24, charges: [{ kind: "service_fee", months: 1 }] },
    { market: "japan", charges: [{ kind: "service_fee", months: 2.5, when: "before_contract" }] },
    // Not enough to decide: needs the contract length.
    { market: "japan", charges: [{ kind: "service_fee", months: 2.5 }] },
    manyCharges,
  ],
  messages: [
    "Công ty đòi 5 tháng lương tiền dịch vụ cho hợp đồng 3 năm đi Đài Loan làm nhà máy",
    "Chăm sóc người già tại nhà ở Đài Loan 3 năm, thu 2 tháng lương, có đúng không",
    "Công ty bắt đóng 2.000 đô tiền môi giới, có đúng không",
    "ký quỹ 45 triệu đi Đài Loan",
    "đi hàn theo eps mà bắt ký quỹ 150 triệu",
    "cty doi 4 thang luong tien dich vu co dung ko",
    "cty doi 110tr tien dich vu di nhat hd 3 nam",
    "chưa ký hợp đồng mà bắt nộp tiền dịch vụ 60 triệu",
    "cty bảo đưa tiền ký quỹ cho nhân viên cầm",
    "tien dich vu 3 thang luong va ky quy 12tr di dai loan",
  ],
  notForIt: ["Hợp đồng 3 năm thì công ty được thu tiền dịch vụ tối đa bao nhiêu?", "ký quỹ là gì", "đi Đài Loan cần giấy tờ gì"],
});

describe("fee check: bad input", () => {
  it("is refused by the schema and the tool, naming no verdict", async () => {
    const schema = feeSkill.schema(kb);
    expect(schema.safeParse({ market: "mars", charges: [{ kind: "brokerage" }] }).success).toBe(false);
    expect(schema.safeParse({ market: "japan", charges: [] }).success).toBe(false);
    expect(schema.safeParse({ market: "japan", charges: [{ kind: "tip" }] }).success).toBe(false);
    expect(schema.safeParse({ market: "japan", charges: [{ kind: "deposit", amount: { value: -1, currency: "VND" } }] }).success).toBe(false);
    expect(schema.safeParse({ market: "japan", contractMonths: 0, charges: [{ kind: "deposit" }] }).success).toBe(false);
    await expect(skillTool(feeSkill, kb).invoke({ market: "japan", charges: [{ kind: "deposit" }], asOf: "1/12/2026" } as never)).rejects.toThrow();
    expect(() => checkFees(kb, { market: "mars", charges: [{ kind: "brokerage" }] })).toThrow();
  });
});

describe("fee check: wording and words are data", () => {
  it("asks for the market with the fee_button labels of knowledge/markets.yaml, and each is an answer", () => {
    const labels = kb.markets.feeButtons().map((b) => b.label);
    expect(labels.length).toBeGreaterThan(1);
    const state = startFeeDialog(kb, "cty doi 4 thang luong tien dich vu co dung ko");
    const step = nextFeeStep(kb, state, TODAY);
    expect(step.kind).toBe("ask");
    if (step.kind !== "ask") return;
    expect(step.question).toBe(feeTexts(kb).questions.market);
    expect(step.buttons).toEqual(labels);
    for (const { id, label } of kb.markets.feeButtons()) expect(answerFeeSlot(kb, step.state, label)?.market, label).toBe(id);
  });

  it("gives every other question a 'don't know' choice that skips it", () => {
    const state = startFeeDialog(kb, "cty doi 110tr tien dich vu di nhat hd 3 nam");
    const step = nextFeeStep(kb, state, TODAY);
    expect(step.kind === "ask" && step.slot).toBe("salary");
    if (step.kind !== "ask") return;
    const dontKnow = feeTexts(kb).questions.dont_know;
    expect(step.buttons).toContain(dontKnow);
    expect(answerFeeSlot(kb, step.state, dontKnow)?.skipped).toContain("salary");
  });

  it("writes no legal figure in its templates: figures come from the facts", () => {
    const figures = new Set(kb.facts.filter((f) => f.unit !== "rule").map((f) => `${f.unit}:${f.value}`));
    const { questions, ...sentences } = feeTexts(kb);
    const flat = (v: unknown): string[] => (typeof v === "string" ? [v] : Object.values(v as object).flatMap(flat));
    // "mỗi 12 tháng" names the unit of a per-12-months cap, not a figure.
    for (const text of flat(sentences)) expect(text.replace(/\{\w+\}|mỗi 12 tháng/g, ""), text).not.toMatch(/\d/);
    // Example amounts in the questions are not legal figures either.
    for (const text of flat(questions)) {
      for (const part of text.split(/[:,]|hoặc/)) {
        const amount = parseAmount(part);
        if (isMoney(amount)) expect(figures.has(`${amount.currency}:${amount.value}`), part).toBe(false);
        else if (amount) expect(figures.has(`months_salary:${amount.months}`), part).toBe(false);
      }
    }
  });
});

describe("fee check: from the facts, not special cases", () => {
  it("fills the extension cap from its fact", () => {
    const r = checkFees(kb, { asOf: TODAY, market: "taiwan", extension: true, contractMonths: 12, charges: [{ kind: "service_fee", months: 1 }] });
    expect(r.charges[0]!.verdict).toBe("above_cap");
    expect(r.charges[0]!.reason).toContain("tối đa 0,5 tháng lương cho mỗi 12 tháng gia hạn");
  });

  it("takes a programme's deposit for its own route and market, naming the programme and the office from data", () => {
    const eps = checkFees(kb, { asOf: TODAY, market: "korea", route: "eps", charges: [{ kind: "deposit", amount: VND(150_500_000) }] }).charges[0]!;
    expect(eps.verdict).toBe("above_cap");
    expect(eps.citations.map((c) => c.factId)).toEqual(["eps.deposit.amount"]);
    expect(eps.reason).toContain(kb.markets.programmeOf("korea")!.name);
    expect(eps.reason).toContain(kb.markets.nameOf("korea"));
    expect(eps.reason).toContain(kb.offices.officeTypes.find((o) => o.id === "social_policy_bank")!.name);
    // The programme goes to one market: elsewhere the market's own cap applies.
    const taiwan = checkFees(kb, { asOf: TODAY, market: "taiwan", route: "eps", charges: [{ kind: "deposit", amount: VND(45_000_000) }] }).charges[0]!;
    expect(taiwan.citations.map((c) => c.factId)).toEqual(["workerDepositCap.taiwan.other"]);
  });

  it("fits many charges into one reply: every verdict, what to do about the gravest, and the hedge last", () => {
    const r = checkFees(kb, { asOf: TODAY, ...manyCharges });
    const t = feeTexts(kb);
    expect(r.answer.text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, r.answer.citations)));
    for (const c of r.charges) expect(r.answer.text, c.charge.kind).toContain(t.charges[c.charge.kind]);
    const lines = r.answer.text.split("\n");
    // What to do about the charges that must not be paid stays.
    const refuse = r.charges.find((c) => c.verdict === "banned")!.advice;
    expect(lines.find((l) => l.startsWith(t.advice_line.split("{")[0]!))).toContain(refuse);
    expect(lines.at(-1)).toBe(t.hedge.replace("{office}", kb.offices.officeTypes.find((o) => o.id === "home_affairs_department")!.name));
  });

  it("keeps the reasons that fit, the first charges' first", () => {
    const charges = manyCharges.charges.filter((c) => ["service_fee", "deposit", "brokerage", "package"].includes(c.kind) && !c.paidTo);
    const r = checkFees(kb, { asOf: TODAY, ...manyCharges, charges });
    expect(r.answer.text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, r.answer.citations)));
    const shown = r.charges.map((c) => r.answer.text.includes(c.reason));
    expect(shown[0]).toBe(true);
    expect(shown.at(-1)).toBe(false);
    // Once a reason is left out, every later one is too.
    expect(shown.indexOf(false)).toBeGreaterThan(0);
    expect(shown.slice(shown.indexOf(false)).every((s) => !s)).toBe(true);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { checkFees, type FeeCheckInput, type Verdict } from "../src/skills/fee/check.ts";
import { feeSkill } from "../src/skills/fee/index.ts";
import { skillTool } from "../src/skills/skill.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

const TODAY = "2026-12-01";
const one = (input: Omit<FeeCheckInput, "asOf">) => checkFees(kb, { asOf: TODAY, ...input }).charges[0]!;

// Fact selectors → the tool's vocabulary.
const MARKET_OF: Record<string, string> = {
  all: "other", japan: "japan", taiwan: "taiwan", korea: "korea", southeast_asia: "southeast_asia", west_asia: "middle_east", australia: "australia",
};

describe("checkFees: every service-fee cap in knowledge/facts", () => {
  it("reaches each cap at the cap (allowed) and just over it (above_cap), or bans a zero cap", () => {
    const caps = kb.facts.filter((f) => f.id.startsWith("serviceFeeCap.") && f.id !== "serviceFeeCap.longContractThreshold" && f.id !== "serviceFeeCap.extension.per12");
    expect(caps.length).toBeGreaterThanOrEqual(20);
    let checked = 0;
    for (const fact of caps) {
      const a = fact.applies_to ?? {};
      const market = MARKET_OF[a.market ?? "all"]!;
      const job = a.job && a.job !== "all" ? a.job : "factory";
      const route = (a.route ?? "company") as "company";
      const contractMonths = a.case === "contract_36_months_or_more" ? 36 : 24;
      if (fact.unit === "VND") {
        expect(one({ market, job, route, contractMonths, charges: [{ kind: "service_fee", months: 1 }] }).verdict, fact.id).toBe("banned");
        checked++;
        continue;
      }
      const cap = fact.unit === "months_salary" ? fact.value : fact.value * (contractMonths / 12);
      const at = one({ market, job, route, contractMonths, charges: [{ kind: "service_fee", months: cap }] });
      const over = one({ market, job, route, contractMonths, charges: [{ kind: "service_fee", months: cap + 0.1 }] });
      expect(at.verdict, `${fact.id} at cap`).toBe("allowed");
      expect(over.verdict, `${fact.id} over cap`).toBe("above_cap");
      expect(over.citations.map((c) => c.factId), fact.id).toContain(fact.id);
      checked += 2;
    }
    const zero = caps.filter((f) => f.unit === "VND").length;
    expect(checked).toBe(zero + 2 * (caps.length - zero));
  });
});

type Case = [name: string, input: Omit<FeeCheckInput, "asOf">, verdict: Verdict, cite?: string];
const VND = (value: number) => ({ value, currency: "VND" as const });
const salary30 = { monthlySalary: VND(30_000_000) };

const cases: Case[] = [
  ["Taiwan factory, 3 years, 5 months' salary", { market: "taiwan", job: "factory", contractMonths: 36, charges: [{ kind: "service_fee", months: 5 }] }, "above_cap", "Luật 69/2020/QH14"],
  ["Taiwan factory, 3 years, 3 months' salary", { market: "taiwan", job: "factory", contractMonths: 36, charges: [{ kind: "service_fee", months: 3 }] }, "allowed"],
  ["general, 4-year contract still capped at 3 months", { market: "other", contractMonths: 48, charges: [{ kind: "service_fee", months: 3.5 }] }, "above_cap"],
  ["general, 2-year contract: 2 months", { market: "other", contractMonths: 24, charges: [{ kind: "service_fee", months: 2 }] }, "allowed"],
  ["general, 1-year contract: 1.5 months is over", { market: "other", contractMonths: 12, charges: [{ kind: "service_fee", months: 1.5 }] }, "above_cap"],
  ["Taiwan home caregiver 3 years, 2 months", { market: "taiwan", job: "home_caregiver", contractMonths: 36, charges: [{ kind: "service_fee", months: 2 }] }, "above_cap", "Thông tư 02/2024/TT-BLĐTBXH"],
  ["Taiwan home caregiver 3 years, 1 month", { market: "taiwan", job: "home_caregiver", contractMonths: 36, charges: [{ kind: "service_fee", months: 1 }] }, "allowed"],
  ["Taiwan hospital nursing 3 years, 2 months", { market: "taiwan", job: "hospital_nursing", contractMonths: 36, charges: [{ kind: "service_fee", months: 2 }] }, "allowed"],
  ["Taiwan hospital nursing 3 years, 2.5 months", { market: "taiwan", job: "hospital_nursing", contractMonths: 36, charges: [{ kind: "service_fee", months: 2.5 }] }, "above_cap"],
  ["Japan SSW from intern: 0", { market: "japan", job: "specified_skilled_from_intern", contractMonths: 36, charges: [{ kind: "service_fee", amount: VND(10_000_000) }] }, "banned"],
  ["Japan intern no. 3 same company: 0", { market: "japan", job: "intern_no3_same_company", contractMonths: 24, charges: [{ kind: "service_fee", months: 0.5 }] }, "banned"],
  ["Southeast Asia domestic work: 0", { market: "southeast_asia", job: "domestic_worker", contractMonths: 24, charges: [{ kind: "service_fee", months: 1 }] }, "banned"],
  ["Malaysia domestic work is Southeast Asia: 0", { market: "malaysia", job: "domestic_worker", contractMonths: 24, charges: [{ kind: "service_fee", months: 1 }] }, "banned"],
  ["Middle East domestic work: 0", { market: "middle_east", job: "domestic_worker", contractMonths: 24, charges: [{ kind: "service_fee", months: 1 }] }, "banned"],
  ["Australia farm work: 0", { market: "australia", job: "agriculture", contractMonths: 12, charges: [{ kind: "service_fee", amount: VND(5_000_000) }] }, "banned"],
  ["Middle East non-domestic: general cap", { market: "middle_east", job: "construction", contractMonths: 24, charges: [{ kind: "service_fee", months: 2 }] }, "allowed"],
  ["Germany (not in the table): general cap", { market: "germany", contractMonths: 36, charges: [{ kind: "service_fee", months: 4 }] }, "above_cap", "Luật 69/2020/QH14"],
  ["sea transport crew: 1.5 per 12 months", { market: "other", job: "sea_transport_crew", contractMonths: 12, charges: [{ kind: "service_fee", months: 1.5 }] }, "allowed"],
  ["sea transport crew: 1.6 per 12 months is over", { market: "other", job: "sea_transport_crew", contractMonths: 12, charges: [{ kind: "service_fee", months: 1.6 }] }, "above_cap"],
  ["Korea near-shore fishing E-10 via company", { market: "korea", job: "nearshore_fishing", route: "company", contractMonths: 36, charges: [{ kind: "service_fee", months: 2.1 }] }, "above_cap"],
  ["extension: 0.5 per 12 months", { market: "taiwan", extension: true, contractMonths: 12, charges: [{ kind: "service_fee", months: 0.5 }] }, "allowed"],
  ["extension: 1 month for 12 months is over", { market: "taiwan", extension: true, contractMonths: 12, charges: [{ kind: "service_fee", months: 1 }] }, "above_cap"],
  ["service fee before the contract is signed", { market: "japan", contractMonths: 36, charges: [{ kind: "service_fee", months: 1, when: "before_contract" }] }, "too_early", "Luật 69/2020/QH14"],
  ["service fee in VND with salary: at cap", { market: "japan", job: "intern", contractMonths: 36, ...salary30, charges: [{ kind: "service_fee", amount: VND(90_000_000) }] }, "allowed"],
  ["service fee in VND with salary: over", { market: "japan", job: "intern", contractMonths: 36, ...salary30, charges: [{ kind: "service_fee", amount: VND(100_000_000) }] }, "above_cap"],
  ["service fee in VND without salary", { market: "japan", contractMonths: 36, charges: [{ kind: "service_fee", amount: VND(90_000_000) }] }, "needs_info"],
  ["service fee without contract length", { market: "japan", charges: [{ kind: "service_fee", months: 2 }] }, "needs_info"],
  // 28,000 TWD × 800 = 22.4 million a month; 3 months = 67.2 million.
  ["salary in TWD, fee in VND, with a rate", { market: "taiwan", contractMonths: 36, monthlySalary: { value: 28_000, currency: "TWD" }, ratesToVnd: { TWD: 800 }, charges: [{ kind: "service_fee", amount: VND(67_000_000) }] }, "allowed"],
  ["salary in TWD, fee in VND, over with a rate", { market: "taiwan", contractMonths: 36, monthlySalary: { value: 28_000, currency: "TWD" }, ratesToVnd: { TWD: 800 }, charges: [{ kind: "service_fee", amount: VND(70_000_000) }] }, "above_cap"],
  ["salary in TWD, fee in VND, no rate", { market: "taiwan", contractMonths: 36, monthlySalary: { value: 28_000, currency: "TWD" }, charges: [{ kind: "service_fee", amount: VND(70_000_000) }] }, "needs_info"],
  ["salary and fee in USD", { market: "middle_east", job: "construction", contractMonths: 24, monthlySalary: { value: 500, currency: "USD" }, charges: [{ kind: "service_fee", amount: { value: 1_200, currency: "USD" } }] }, "above_cap"],
  ["salary and fee in JPY", { market: "japan", job: "intern", contractMonths: 36, monthlySalary: { value: 160_000, currency: "JPY" }, charges: [{ kind: "service_fee", amount: { value: 480_000, currency: "JPY" } }] }, "allowed"],
  ["salary and fee in KRW", { market: "korea", job: "nearshore_fishing", contractMonths: 36, monthlySalary: { value: 2_000_000, currency: "KRW" }, charges: [{ kind: "service_fee", amount: { value: 4_000_000, currency: "KRW" } }] }, "allowed"],
  ["brokerage 2,000 USD", { market: "other", charges: [{ kind: "brokerage", amount: { value: 2_000, currency: "USD" } }] }, "banned", "Luật 69/2020/QH14"],
  ["brokerage in months", { market: "japan", charges: [{ kind: "brokerage", months: 0.5 }] }, "banned"],
  ["selection fee", { market: "japan", charges: [{ kind: "selection_fee", amount: VND(5_000_000) }] }, "banned", "Luật 69/2020/QH14"],
  ["Taiwan deposit 12 million", { market: "taiwan", charges: [{ kind: "deposit", amount: VND(12_000_000) }] }, "allowed", "Nghị định 112/2021/NĐ-CP"],
  ["Taiwan deposit 50 million", { market: "taiwan", charges: [{ kind: "deposit", amount: VND(50_000_000) }] }, "above_cap"],
  ["Taiwan deposit 12,000,001", { market: "taiwan", charges: [{ kind: "deposit", amount: VND(12_000_001) }] }, "above_cap"],
  ["Taiwan far-sea fishing crew: no deposit", { market: "taiwan", job: "farfishing_crew", charges: [{ kind: "deposit", amount: VND(5_000_000) }] }, "banned"],
  ["Korea via company 36 million", { market: "korea", route: "company", charges: [{ kind: "deposit", amount: VND(36_000_000) }] }, "allowed"],
  ["Korea via company 40 million", { market: "korea", route: "company", charges: [{ kind: "deposit", amount: VND(40_000_000) }] }, "above_cap"],
  ["EPS deposit 100 million", { market: "korea", route: "eps", charges: [{ kind: "deposit", amount: VND(100_000_000) }] }, "allowed", "Quyết định 12/2020/QĐ-TTg"],
  ["EPS deposit 150 million", { market: "korea", route: "eps", charges: [{ kind: "deposit", amount: VND(150_000_000) }] }, "above_cap"],
  ["Japan: no deposit", { market: "japan", charges: [{ kind: "deposit", amount: VND(20_000_000) }] }, "banned"],
  ["Middle East: no deposit", { market: "middle_east", charges: [{ kind: "deposit", amount: VND(10_000_000) }] }, "banned"],
  ["Malaysia: no deposit", { market: "malaysia", charges: [{ kind: "deposit", amount: VND(10_000_000) }] }, "banned"],
  ["Europe: one air ticket, price unknown", { market: "europe", charges: [{ kind: "deposit", amount: VND(30_000_000) }] }, "needs_info"],
  ["deposit handed to a staff member", { market: "taiwan", charges: [{ kind: "deposit", amount: VND(10_000_000), paidTo: "company_staff_personally" }] }, "banned", "Nghị định 112/2021/NĐ-CP"],
  ["deposit before signing", { market: "taiwan", charges: [{ kind: "deposit", amount: VND(10_000_000), when: "before_contract" }] }, "too_early"],
  ["deposit in USD against a VND cap", { market: "taiwan", charges: [{ kind: "deposit", amount: { value: 500, currency: "USD" } }] }, "needs_info"],
  ["health check: no cap in our facts", { market: "japan", charges: [{ kind: "health_check", amount: VND(2_000_000) }] }, "needs_info"],
  ["airfare", { market: "japan", charges: [{ kind: "airfare", amount: VND(8_000_000) }] }, "needs_info"],
  ["training", { market: "japan", charges: [{ kind: "training", amount: VND(15_000_000) }] }, "needs_info"],
  ["visa and passport", { market: "japan", charges: [{ kind: "visa_passport", amount: VND(3_000_000) }] }, "needs_info"],
  ["package price", { market: "japan", job: "intern", contractMonths: 36, ...salary30, charges: [{ kind: "package", amount: VND(150_000_000) }] }, "needs_info"],
  ["zero service fee is fine even where banned", { market: "australia", job: "agriculture", contractMonths: 12, charges: [{ kind: "service_fee", months: 0 }] }, "allowed"],
  ["exact cap with rounding in the worker's arithmetic", { market: "other", contractMonths: 18, charges: [{ kind: "service_fee", months: 1.5 }] }, "allowed"],
];

describe("checkFees: table", () => {
  for (const [name, input, verdict, cite] of cases) {
    it(`${name} → ${verdict}`, () => {
      const result = one(input);
      expect(result.verdict).toBe(verdict);
      if (cite) expect(result.citations.map((c) => c.doc)).toContain(cite);
      // A verdict other than "needs more information" always carries a citation.
      if (result.verdict !== "needs_info") expect(result.citations.length).toBeGreaterThan(0);
    });
  }
});

describe("checkFees: the answer", () => {
  it("says the cap, the excess, and what to do, in plain Vietnamese", () => {
    const r = checkFees(kb, { asOf: TODAY, market: "taiwan", job: "factory", contractMonths: 36, charges: [{ kind: "service_fee", months: 5 }] });
    expect(r.answer.text).toContain("3 tháng lương");
    expect(r.answer.text).toContain("vượt 2 tháng lương");
    expect(r.answer.text).toContain("Nên làm:");
    expect(r.answer.citations[0]).toMatchObject({ doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a" });
    expect(r.answer.hedged).toBe(false);
  });

  it("hedges when a cap comes from a V-S fact", () => {
    const r = checkFees(kb, { asOf: TODAY, market: "taiwan", job: "home_caregiver", contractMonths: 36, charges: [{ kind: "service_fee", months: 2 }] });
    expect(r.answer.hedged).toBe(true);
    expect(r.answer.text).toContain("Sở Nội vụ");
  });

  it("reports the first missing piece of information", () => {
    expect(checkFees(kb, { asOf: TODAY, market: "japan", charges: [{ kind: "service_fee", amount: VND(1) }] }).missing).toBe("contract_months");
    expect(checkFees(kb, { asOf: TODAY, market: "japan", contractMonths: 36, charges: [{ kind: "service_fee", amount: VND(1) }] }).missing).toBe("salary");
  });

  it("checks several charges in one answer", () => {
    const r = checkFees(kb, { asOf: TODAY, market: "taiwan", contractMonths: 36, charges: [{ kind: "service_fee", months: 3 }, { kind: "brokerage", amount: VND(10_000_000) }, { kind: "deposit", amount: VND(12_000_000) }] });
    expect(r.charges.map((c) => c.verdict)).toEqual(["allowed", "banned", "allowed"]);
    expect(r.answer.text.length).toBeLessThanOrEqual(1500);
  });

  it("is a LangChain tool whose zod schema rejects malformed input", async () => {
    const t = skillTool(feeSkill, kb);
    expect(t.name).toBe("check_fees");
    await expect(t.invoke({ market: "mars", charges: [] } as never)).rejects.toThrow();
    const out = JSON.parse(await t.invoke({ market: "other", charges: [{ kind: "brokerage", months: 1 }] }));
    expect(out.charges[0].verdict).toBe("banned");
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import type { Fact } from "../src/knowledge/schema.ts";
import { formatVnd } from "../src/text/wording.ts";
import { type ToolAnswer } from "../src/skills/answer.ts";
import {
  depositGuidance, parseJob, parseMarket, type DepositGuidanceOutput, type MarketRegion,
} from "../src/skills/deposit/guidance.ts";
import {
  loanGuidance, parseVndAmount, type LoanGuidanceOutput,
} from "../src/skills/loan/guidance.ts";
import { parsePriorityGroup as parsePriorityGroupIn } from "../src/knowledge/priority-groups.ts";
import { KNOWLEDGE_DIR, ROOT } from "./helpers.ts";
import { skillTool } from "../src/skills/skill.ts";
import { loanSkill } from "../src/skills/loan/index.ts";
import { depositSkill } from "../src/skills/deposit/index.ts";

const AS_OF = "2026-11-22";
let kb: KnowledgeBase;
const fact = (id: string): Fact => {
  const f = kb.facts.find((x) => x.id === id);
  if (!f) throw new Error(`no fact ${id}`);
  return f;
};

beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});
/** Priority groups are read with the knowledge's words (knowledge/vocabulary/priority-groups.yaml). */
const parsePriorityGroup = (text: string) => parsePriorityGroupIn(kb, text);

const PHONE_RE = /(?:\+?84|\b0)\d{2,3}[ .-]?\d{3}[ .-]?\d{3,4}\b|\b1[89]00[ .-]?\d{3,4}\b|\bhotline\b|\bđường dây nóng\b/i;
const URL_RE = /https?:\/\/|www\.|\b[\w-]+\.(?:vn|com|org|net|gov)\b|@/i;
const VI_DIACRITICS_RE = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;

/** What every answer must satisfy, whatever the input. */
function checkAnswer(answer: ToolAnswer): void {
  expect(answer.text.length).toBeGreaterThan(0);
  expect(answer.text.length).toBeLessThanOrEqual(1500);
  expect(answer.text).toMatch(VI_DIACRITICS_RE);
  expect(answer.text).not.toMatch(PHONE_RE);
  expect(answer.text).not.toMatch(URL_RE);
  expect(answer.text).not.toMatch(/undefined|NaN|\[object/);
  expect(answer.citations.length).toBeGreaterThanOrEqual(1);
  for (const c of answer.citations) {
    expect(kb.documents.has(c.doc), `unknown document "${c.doc}"`).toBe(true);
    expect(c.locator.length).toBeGreaterThan(0);
  }
  // A V-S or M fact was used: the answer says who can confirm.
  expect(answer.hedged).toBe(answer.citations.some((c) => c.confidence !== "V-P"));
  if (answer.hedged) expect(answer.text).toMatch(/hỏi/i);
}

function dep(input: Parameters<typeof depositGuidance>[1]): DepositGuidanceOutput {
  const out = depositGuidance(kb, input);
  checkAnswer(out.answer);
  return out;
}
function depOk(input: Parameters<typeof depositGuidance>[1]) {
  const out = dep(input);
  if (out.status !== "ok") throw new Error(`expected ok, got need_info: ${out.answer.text}`);
  return out;
}
function loan(input: Parameters<typeof loanGuidance>[1]): LoanGuidanceOutput {
  const out = loanGuidance(kb, input);
  checkAnswer(out.answer);
  return out;
}
function loanOk(input: Parameters<typeof loanGuidance>[1]) {
  const out = loan(input);
  if (out.status !== "ok") throw new Error(`expected ok, got need_info: ${out.answer.text}`);
  return out;
}

/** A destination name people type for each region of the deposit table. */
const MARKET_TEXT: Record<string, string[]> = {
  taiwan: ["Đài Loan", "dai loan", "Taiwan"],
  korea: ["Hàn Quốc", "han quoc", "Korea"],
  japan: ["Nhật Bản", "nhat", "Japan"],
  americas: ["Mỹ", "Canada"],
  southeast_asia: ["Malaysia", "Ma-lai-xi-a", "thai lan"],
  middle_east: ["Ả Rập Xê Út", "trung dong", "Saudi Arabia"],
  other: ["Đức", "chau au", "Romania"],
};
const JOB_TEXT: Record<string, string[]> = {
  farfishing_or_transport_crew: ["thuyền viên tàu cá xa bờ", "far-sea fishing crew", "thuyen vien tau van tai"],
  other: ["nhà máy", "factory"],
  all: ["nhà máy", "thuyền viên tàu cá xa bờ"],
};

function capPhraseOf(f: Fact): string {
  if (f.unit === "economy_air_tickets") return `${f.value} lượt vé máy bay hạng phổ thông`;
  return formatVnd(f.value);
}

describe("depositGuidance: every deposit-cap fact is reachable", () => {
  it("covers the whole table", () => {
    const capFacts = () => kb.facts.filter((f) => f.id.startsWith("workerDepositCap."));
    expect(capFacts().length).toBeGreaterThanOrEqual(10);
  });

  it("reaches each fact from every way of naming its market and job, and says its value", () => {
    const caps = kb.facts.filter((f) => f.id.startsWith("workerDepositCap."));
    let checked = 0;
    for (const f of caps) {
      const region = f.applies_to!.market!;
      for (const market of MARKET_TEXT[region]!) {
        for (const job of JOB_TEXT[f.applies_to!.job!]!) {
          const route = f.applies_to!.route as "company" | undefined;
          const out = depOk({ market, job, route, asOf: AS_OF });
          expect(out.result.cap.factId, `${market} / ${job}`).toBe(f.id);
          expect(out.result.cap.value).toBe(f.value);
          expect(out.answer.text).toContain(capPhraseOf(f));
          expect(out.answer.citations.some((c) => c.factId === f.id)).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("reaches the EPS deposit (eps.yaml) by route or by name", () => {
    const eps = fact("eps.deposit.amount");
    for (const input of [{ market: "EPS" }, { market: "Hàn Quốc", route: "eps" as const }, { market: "di han theo chuong trinh eps" }]) {
      const out = depOk({ ...input, asOf: AS_OF });
      expect(out.result.route).toBe("eps");
      expect(out.result.cap.factId).toBe(eps.id);
      expect(out.result.cap.value).toBe(100_000_000);
      expect(out.result.cap.kind).toBe("fixed");
      expect(out.result.keptIn).toBe("social_policy_bank");
      expect(out.answer.text).toContain(formatVnd(eps.value));
      expect(out.answer.text).toContain("Ngân hàng Chính sách xã hội");
    }
  });
});

describe("depositGuidance: caps and amounts", () => {
  it("Japan: no deposit at all (0), any amount is above the cap", () => {
    const out = depOk({ market: "Nhật", amountAsked: "30tr", asOf: AS_OF });
    expect(out.result.cap.value).toBe(0);
    expect(out.result.noDepositAllowed).toBe(true);
    expect(out.result.keptIn).toBeUndefined();
    expect(out.result.comparison).toEqual({ kind: "above", amount: 30_000_000, cap: 0, overBy: 30_000_000 });
    expect(out.answer.text).toContain("không phải ký quỹ");
    expect(out.answer.text).toContain("0 đồng");
  });

  it("Japan with nothing asked: 0 and no talk of refunds", () => {
    const out = depOk({ market: "Japan", asOf: AS_OF });
    expect(out.result.comparison).toBeUndefined();
    expect(out.answer.text).not.toContain("tài khoản phong tỏa");
  });

  it("crew: 0 in Taiwan and Korea and elsewhere", () => {
    for (const market of ["Đài Loan", "Hàn Quốc", "Đức"]) {
      const out = depOk({ market, job: "thuyền viên tàu cá xa bờ", asOf: AS_OF });
      expect(out.result.job).toBe("farfishing_or_transport_crew");
      expect(out.result.cap.value).toBe(0);
      expect(out.result.noDepositAllowed).toBe(true);
    }
  });

  it("near-shore fishing is not crew: the Taiwan cap applies", () => {
    const out = depOk({ market: "Đài Loan", job: "tàu cá gần bờ", asOf: AS_OF });
    expect(out.result.job).toBe("other");
    expect(out.result.cap.factId).toBe("workerDepositCap.taiwan.other");
  });

  it("Taiwan: at the cap, one đồng above, well above, below", () => {
    const cap = fact("workerDepositCap.taiwan.other").value;
    const at = depOk({ market: "dai loan", job: "nhà máy", amountAsked: cap, asOf: AS_OF });
    expect(at.result.comparison).toEqual({ kind: "at_cap", amount: cap, cap });
    expect(at.answer.text).toContain("đúng bằng mức tối đa");

    const justAbove = depOk({ market: "dai loan", amountAsked: cap + 1, asOf: AS_OF });
    expect(justAbove.result.comparison).toMatchObject({ kind: "above", overBy: 1 });

    const above = depOk({ market: "Đài Loan", amountAsked: "30tr", asOf: AS_OF });
    expect(above.result.comparison).toEqual({ kind: "above", amount: 30_000_000, cap, overBy: 30_000_000 - cap });
    expect(above.answer.text).toContain(formatVnd(30_000_000 - cap));
    expect(above.answer.text).toContain("Sở Nội vụ");

    const below = depOk({ market: "Taiwan", amountAsked: "10 triệu", asOf: AS_OF });
    expect(below.result.comparison).toMatchObject({ kind: "within" });
  });

  it("Taiwan: says where the money is kept and how it comes back", () => {
    const out = depOk({ market: "Đài Loan", asOf: AS_OF });
    expect(out.result.keptIn).toBe("blocked_bank_account_in_worker_name");
    expect(out.answer.text).toContain("tài khoản phong tỏa");
    expect(out.answer.text).toContain("tiền mặt");
    expect(out.answer.text).toMatch(/gốc và tiền lãi|gốc và lãi/);
    expect(out.answer.citations.map((c) => `${c.doc} ${c.locator}`)).toContain("Luật 69/2020/QH14 Điều 25 khoản 2");
  });

  it("Korea: company cap 36 million vs EPS 100 million", () => {
    const company = depOk({ market: "Hàn Quốc", route: "company", amountAsked: "36 triệu", asOf: AS_OF });
    expect(company.result.cap.factId).toBe("workerDepositCap.korea.other");
    expect(company.result.cap.value).toBe(36_000_000);
    expect(company.result.comparison?.kind).toBe("at_cap");
    expect(company.result.alternatives).toEqual([]);

    const unsure = depOk({ market: "han quoc", amountAsked: "50tr", asOf: AS_OF });
    expect(unsure.result.route).toBe("company");
    expect(unsure.result.alternatives.map((a) => a.cap.factId)).toEqual(["eps.deposit.amount"]);
    expect(unsure.result.comparison).toMatchObject({ kind: "above", overBy: 14_000_000 });
    expect(unsure.answer.text).toContain("36 triệu đồng");
    expect(unsure.answer.text).toContain("100 triệu đồng");
    expect(unsure.answer.text).toContain("EPS");

    const eps = depOk({ market: "EPS", amountAsked: "120tr", asOf: AS_OF });
    expect(eps.result.comparison).toMatchObject({ kind: "above", overBy: 20_000_000 });
    const epsAt = depOk({ market: "EPS", amountAsked: 100_000_000, asOf: AS_OF });
    expect(epsAt.result.comparison?.kind).toBe("at_cap");
  });

  it("EPS route named for another country: the country's rule, with a note", () => {
    const out = depOk({ market: "Nhật Bản", route: "eps", asOf: AS_OF });
    expect(out.result.route).toBe("company");
    expect(out.result.cap.factId).toBe("workerDepositCap.japan.all");
    expect(out.answer.text).toContain("EPS");
  });

  it("a country in a group: Malaysia is Southeast Asia, Saudi Arabia is the Middle East", () => {
    expect(depOk({ market: "Malaysia", asOf: AS_OF }).result.cap.factId).toBe("workerDepositCap.southeastAsia.all");
    expect(depOk({ market: "Ả Rập Xê Út", asOf: AS_OF }).result.cap.factId).toBe("workerDepositCap.middleEast.all");
  });

  it("a country without its own row (Germany): the general rule, said plainly", () => {
    const out = depOk({ market: "Đức", amountAsked: "40tr", asOf: AS_OF });
    expect(out.result.generalRule).toBe(true);
    expect(out.result.market.recognised).toBe(true);
    expect(out.result.cap.unit).toBe("economy_air_tickets");
    expect(out.result.comparison).toEqual({ kind: "needs_ticket_price", amount: 40_000_000 });
    expect(out.result.missing).toContain("ticket_price");
    expect(out.answer.text).toContain("không có mức riêng");
    expect(out.answer.text).toContain("vé máy bay");
  });

  it("an unknown market: the general rule and the table, and a request for the country", () => {
    const out = depOk({ market: "xứ sở thần tiên", asOf: AS_OF });
    expect(out.result.market.recognised).toBe(false);
    expect(out.result.generalRule).toBe(true);
    expect(out.result.cap.factId).toBe("workerDepositCap.other.other");
    expect(out.answer.text).toContain("quy tắc chung");
    expect(out.answer.text).toContain("vé máy bay");
    expect(out.answer.text).toContain("Nhật Bản");
  });

  it("does not echo digits or links the person typed as a market", () => {
    const out = depOk({ market: "www.vieclam.example.vn 0912345678", asOf: AS_OF });
    expect(out.answer.text).not.toMatch(URL_RE);
    expect(out.answer.text).not.toMatch(PHONE_RE);
  });

  it("a foreign-currency amount needs a rate: asks for more information", () => {
    const out = depOk({ market: "Đài Loan", amountAsked: "$500", asOf: AS_OF });
    expect(out.result.comparison).toEqual({ kind: "needs_vnd", value: 500, currency: "USD" });
    expect(out.result.missing).toContain("amount_in_vnd");
    expect(out.answer.text).toContain("tỷ giá");
  });

  it("reads the worker's number formats", () => {
    for (const amountAsked of ["12tr", "12 triệu", "12.000.000", "12,000,000 đ", 12_000_000]) {
      const out = depOk({ market: "Đài Loan", amountAsked, asOf: AS_OF });
      expect(out.result.comparison, String(amountAsked)).toMatchObject({ kind: "at_cap", amount: 12_000_000 });
    }
    const unreadable = depOk({ market: "Đài Loan", amountAsked: "nhiều lắm", asOf: AS_OF });
    expect(unreadable.result.comparison?.kind).toBe("unreadable");
    const months = depOk({ market: "Đài Loan", amountAsked: "3 tháng lương", asOf: AS_OF });
    expect(months.result.comparison?.kind).toBe("months_not_money");
  });

  it("direct contracts: the table is for the company route", () => {
    const out = depOk({ market: "Đài Loan", route: "direct", asOf: AS_OF });
    expect(out.result.route).toBe("direct");
    expect(out.answer.text).toContain("tự ký hợp đồng");
  });

  it("bad input: a Vietnamese question, not a throw", () => {
    const empty = dep({ market: "  " });
    expect(empty.status).toBe("need_info");
    if (empty.status === "need_info") expect(empty.missing).toEqual(["market"]);
    expect(empty.answer.text).toContain("nước nào");

    const wrong = dep({ market: 42, amountAsked: { x: 1 } } as never);
    expect(wrong.status).toBe("need_info");
    expect(wrong.answer.text).toContain("nước");

    const badDate = dep({ market: "Nhật", asOf: "hôm qua" });
    expect(badDate.status).toBe("need_info");
    expect(badDate.answer.text).toContain("năm-tháng-ngày");

    const nothing = dep(undefined as never);
    expect(nothing.status).toBe("need_info");

    const tooEarly = dep({ market: "Nhật", asOf: "2015-01-01" });
    expect(tooEarly.status).toBe("need_info");
  });

  it("every answer stays within 1,500 characters", () => {
    for (const market of ["Hàn Quốc", "EPS", "Đài Loan", "Đức", "abc", "Malaysia"]) {
      for (const amountAsked of [undefined, "50tr", "$300", "3 tháng"]) {
        for (const route of [undefined, "company", "eps", "direct"] as const) {
          dep({ market, amountAsked, route, asOf: AS_OF });
        }
      }
    }
  });
});

describe("parseMarket", () => {
  const cases: Array<[string, MarketRegion | undefined, boolean?]> = [
    ["Nhật", "japan"], ["nhat ban", "japan"], ["Japan", "japan"], ["đi Nhật làm thực tập sinh", "japan"],
    ["Hàn Quốc", "korea"], ["han quoc", "korea"], ["South Korea", "korea"], ["EPS", "korea", true], ["Hàn Quốc EPS", "korea", true],
    ["Đài Loan", "taiwan"], ["dai loan", "taiwan"], ["Taiwan", "taiwan"], ["Đài", "taiwan"],
    ["Ma-lai-xi-a", "southeast_asia"], ["malaysia", "southeast_asia"], ["Singapore", "southeast_asia"], ["Lào", "southeast_asia"],
    ["Trung Đông", "middle_east"], ["trung dong", "middle_east"], ["Ả Rập Xê Út", "middle_east"], ["Dubai", "middle_east"], ["Qatar", "middle_east"],
    ["Mỹ", "americas"], ["Canada", "americas"],
    ["Đức", "other"], ["Germany", "other"], ["châu Âu", "other"], ["Europe", "other"], ["Úc", "other"], ["Rumani", "other"], ["Trung Quốc", "other"],
    ["nhất", undefined], ["lao động", undefined], ["dài", undefined], ["", undefined], ["xyz", undefined],
  ];
  for (const [text, region, eps] of cases) {
    it(`${JSON.stringify(text)} → ${region ?? "not recognised"}`, () => {
      const m = parseMarket(kb, text);
      expect(m?.region).toBe(region);
      if (m) expect(m.eps).toBe(eps ?? false);
    });
  }
});

describe("parseJob", () => {
  it.each([
    ["thuyền viên tàu cá xa bờ", "farfishing_or_transport_crew"],
    ["far-sea fishing crew", "farfishing_or_transport_crew"],
    ["thuyen vien tau van tai", "farfishing_or_transport_crew"],
    ["transport crew", "farfishing_or_transport_crew"],
    ["tàu cá gần bờ", "other"],
    ["nhà máy", "other"],
    ["", "other"],
  ] as const)("%s → %s", (text, job) => {
    expect(parseJob(kb, text).job).toBe(job);
  });
});

describe("loanGuidance", () => {
  it("today's rules: who, how much, collateral, interest, term, where — all cited, hedged", () => {
    const out = loanOk({ asOf: AS_OF });
    const r = out.result;
    expect(r.regime).toBe("current");
    expect(r.doc).toBe("Nghị định 338/2025/NĐ-CP");
    expect(r.maxLoan.percentOfCosts).toBe(fact("loan.maxShareOfCosts.current").value);
    expect(r.collateral.threshold).toBe(fact("loan.collateralThreshold.current").value);
    expect(r.collateral.inclusive).toBe(false);
    expect(r.interest.ordinaryPercentOfPoorRate).toBe(fact("loan.interestRate.current").value);
    expect(r.interest.priorityPercentOfPoorRate).toBe(fact("loan.interestRate.priorityGroup.current").value);
    expect(r.interest.overduePercentOfRate).toBe(fact("loan.overdueRate.current").value);
    expect(r.term).toEqual({ maxIsContractTerm: true, extensionsExcluded: true });
    expect(r.whereToApply.office).toBe("Phòng giao dịch Ngân hàng Chính sách xã hội");
    expect(r.papers.length).toBeGreaterThan(0);
    expect(out.answer.hedged).toBe(true);
    expect(out.answer.text).toContain("tài sản bảo đảm (thế chấp)");
    expect(out.answer.text).toContain(formatVnd(r.collateral.threshold));
    expect(out.answer.text).toContain("127%");
    expect(out.answer.text).toContain("gia hạn");
    expect(out.answer.text).toContain("Ngân hàng Chính sách xã hội nơi bạn cư trú");
    // Old rules only when asked.
    expect(out.answer.text).not.toContain("74/2019");
    expect(r.history).toBeUndefined();
    for (const id of ["loan.maxShareOfCosts.current", "loan.collateralThreshold.current", "loan.interestRate.current"]) {
      expect(out.answer.citations.some((c) => c.factId === id), id).toBe(true);
    }
  });

  it("collateral: exactly at the threshold is not needed, one đồng above is", () => {
    const thr = fact("loan.collateralThreshold.current").value;
    const at = loanOk({ amountWanted: thr, asOf: AS_OF });
    expect(at.result.collateral).toMatchObject({ amountWanted: thr, required: false });
    expect(at.answer.text).toContain("không cần tài sản bảo đảm");

    const above = loanOk({ amountWanted: thr + 1, asOf: AS_OF });
    expect(above.result.collateral).toMatchObject({ required: true, overBy: 1 });
    expect(above.answer.text).toContain("phải có tài sản bảo đảm");
  });

  it("collateral for amounts as people type them", () => {
    expect(loanOk({ amountWanted: "150tr", asOf: AS_OF }).result.collateral).toMatchObject({ amountWanted: 150_000_000, required: false });
    expect(loanOk({ amountWanted: "150 triệu", asOf: AS_OF }).result.collateral.required).toBe(false);
    expect(loanOk({ amountWanted: "200 triệu", asOf: AS_OF }).result.collateral.required).toBe(false);
    const big = loanOk({ amountWanted: "250 triệu", asOf: AS_OF });
    expect(big.result.collateral).toMatchObject({ required: true, overBy: 50_000_000 });
    expect(big.answer.text).toContain("50 triệu đồng");
  });

  it("an amount that is not in đồng: asks for it, still answers", () => {
    for (const amountWanted of ["$5000", "3 tháng lương", "nhiều lắm"]) {
      const out = loanOk({ amountWanted, asOf: AS_OF });
      expect(out.result.missing).toEqual(["amount_in_vnd"]);
      expect(out.result.collateral.required).toBeUndefined();
      expect(out.answer.text).toMatch(/bằng đồng|chưa đọc được/);
    }
  });

  it("the old rule applied before 01/01/2026: 'from 100 million' is inclusive", () => {
    const old = fact("loan.collateralThreshold.old");
    const out = loanOk({ amountWanted: old.value, asOf: "2025-06-01" });
    expect(out.result.regime).toBe("old");
    expect(out.result.doc).toBe("Nghị định 61/2015/NĐ-CP");
    expect(out.result.collateral).toMatchObject({ threshold: old.value, inclusive: true, required: true });
    expect(out.answer.text).toContain("01/01/2026");
    expect(out.answer.text).toContain("Nghị định 338/2025/NĐ-CP");
    expect(out.answer.citations.some((c) => c.status === "superseded")).toBe(true);
  });

  it("history: says what the old rule was and that it ended on 01/01/2026", () => {
    const out = loanOk({ history: true, amountWanted: "150tr", asOf: AS_OF });
    const h = out.result.history!;
    expect(h.endedOn).toBe("2026-01-01");
    expect(h.replacedBy).toBe("Nghị định 338/2025/NĐ-CP");
    expect(h.docs).toEqual(["Nghị định 61/2015/NĐ-CP", "Nghị định 74/2019/NĐ-CP"]);
    expect(h.collateralThreshold).toBe(fact("loan.collateralThreshold.old").value);
    expect(h.collateralRequiredForAmount).toBe(true);
    expect(out.result.collateral.required).toBe(false);
    expect(out.answer.text).toContain("01/01/2026");
    expect(out.answer.text).toContain("Nghị định 338/2025/NĐ-CP");
    expect(out.answer.text).toContain("Nghị định 74/2019/NĐ-CP");
    expect(out.answer.text).toContain("Nghị định 61/2015/NĐ-CP");
    expect(out.answer.citations.some((c) => c.factId === "loan.collateralThreshold.old")).toBe(true);
    // Today's rule comes first.
    expect(out.answer.text.indexOf("338/2025")).toBeLessThan(out.answer.text.indexOf("61/2015"));
  });

  it("EPS: the deposit loan, 100 million without collateral", () => {
    const max = fact("eps.depositLoan.max");
    for (const input of [{ eps: true }, { market: "EPS" }]) {
      const out = loanOk({ ...input, asOf: AS_OF });
      expect(out.result.epsDepositLoan).toMatchObject({ max: max.value, collateralRequired: false, factId: max.id });
      expect(out.result.epsDepositLoan?.max).toBe(100_000_000);
      expect(out.result.epsDepositLoan?.termMonths).toBe(fact("eps.depositLoan.termMonths").value);
      expect(out.answer.text).toContain(formatVnd(max.value));
      expect(out.answer.text).toContain("không cần tài sản bảo đảm");
      expect(out.answer.text).toContain("5 năm 4 tháng");
      expect(out.answer.citations.some((c) => c.doc === "Quyết định 16/2023/QĐ-TTg")).toBe(true);
      expect(out.answer.citations.some((c) => c.doc === "Nghị quyết 83/NQ-CP")).toBe(true);
    }
    const over = loanOk({ eps: true, amountWanted: "120tr", asOf: AS_OF });
    expect(over.result.epsDepositLoan).toMatchObject({ amountWanted: 120_000_000, withinMax: false, overBy: 20_000_000 });
    const within = loanOk({ eps: true, amountWanted: "100tr", asOf: AS_OF });
    expect(within.result.epsDepositLoan).toMatchObject({ withinMax: true });
  });

  it("Korea without saying EPS: mentions the EPS deposit loan briefly", () => {
    const out = loanOk({ market: "Hàn Quốc", asOf: AS_OF });
    expect(out.result.epsDepositLoan).toBeUndefined();
    expect(out.answer.text).toContain("EPS");
    expect(loanOk({ market: "Nhật", asOf: AS_OF }).answer.text).not.toContain("EPS");
  });

  it("priority groups: the poor-household rate may apply; the list is unverified", () => {
    const poor = loanOk({ priorityGroup: "poor", asOf: AS_OF });
    expect(poor.result.interest.groupStatus).toBe("maybe_priority");
    expect(poor.answer.text).toContain("nhóm ưu tiên");
    expect(poor.answer.text).toContain(`${fact("loan.interestRate.priorityGroup.current").value}%`);

    const none = loanOk({ priorityGroup: "none", asOf: AS_OF });
    expect(none.result.interest.groupStatus).toBe("ordinary");
    expect(none.answer.text).toContain(`${fact("loan.interestRate.current").value}%`);

    const soldier = loanOk({ priorityGroup: "demobilised_soldier", asOf: AS_OF });
    expect(soldier.result.interest.groupStatus).toBe("unknown");
    expect(soldier.answer.text).toContain("chưa được kiểm chứng");

    const typed = loanOk({ priorityGroup: "hộ cận nghèo" as never, asOf: AS_OF });
    expect(typed.result.interest.group).toBe("near_poor");
    const unknown = loanOk({ priorityGroup: "ngoài hành tinh" as never, asOf: AS_OF });
    expect(unknown.result.interest.groupStatus).toBe("not_given");
  });

  it("parsePriorityGroup reads groups typed in words", () => {
    expect(parsePriorityGroup("ho ngheo")).toBe("poor");
    expect(parsePriorityGroup("hộ cận nghèo")).toBe("near_poor");
    expect(parsePriorityGroup("dân tộc thiểu số")).toBe("ethnic_minority");
    expect(parsePriorityGroup("con thương binh")).toBe("relative_of_merit");
    expect(parsePriorityGroup("bộ đội xuất ngũ")).toBe("demobilised_soldier");
    expect(parsePriorityGroup("không thuộc hộ nghèo")).toBe("none");
    expect(parsePriorityGroup("abc")).toBeUndefined();
  });

  it("bad input: a Vietnamese question, not a throw", () => {
    const badDate = loan({ asOf: "hôm qua" });
    expect(badDate.status).toBe("need_info");
    expect(badDate.answer.text).toContain("năm-tháng-ngày");
    const badAmount = loan({ amountWanted: { a: 1 } } as never);
    expect(badAmount.status).toBe("need_info");
    expect(badAmount.answer.text).toContain("số tiền");
    const tooEarly = loan({ asOf: "2010-01-01" });
    expect(tooEarly.status).toBe("need_info");
    expect(loan(undefined).status).toBe("ok");
    expect(loan(null as never).status).toBe("ok");
  });

  it("every combination stays within 1,500 characters and keeps its hedge", () => {
    for (const priorityGroup of [undefined, "poor", "near_poor", "none"] as const) {
      for (const amountWanted of [undefined, "250tr", "$100"]) {
        for (const eps of [undefined, true]) {
          for (const history of [undefined, true]) {
            for (const asOf of [AS_OF, "2025-06-01"]) {
              const out = loan({ priorityGroup, amountWanted, eps, history, asOf, market: "Hàn Quốc" });
              if (out.answer.hedged) expect(out.answer.text).toMatch(/Hãy hỏi lại [^.]+\.$/);
            }
          }
        }
      }
    }
  });

  it("re-exports parseVndAmount", () => {
    expect(parseVndAmount("150tr")).toBe(150_000_000);
  });
});

describe("LangChain tools", () => {
  it("loan_guidance runs the same code", async () => {
    const t = skillTool(loanSkill, kb);
    expect(t.name).toBe("loan_guidance");
    const out = JSON.parse(String(await t.invoke({ amountWanted: "250tr", asOf: AS_OF }))) as LoanGuidanceOutput;
    expect(out.status).toBe("ok");
    if (out.status === "ok") expect(out.result.collateral.required).toBe(true);
  });

  it("deposit_guidance runs the same code", async () => {
    const t = skillTool(depositSkill, kb);
    expect(t.name).toBe("deposit_guidance");
    const out = JSON.parse(String(await t.invoke({ market: "Nhật", amountAsked: 5_000_000, asOf: AS_OF }))) as DepositGuidanceOutput;
    expect(out.status).toBe("ok");
    if (out.status === "ok") expect(out.result.comparison).toMatchObject({ kind: "above", overBy: 5_000_000 });
  });
});

describe("no legal figure is written in the tools' code", () => {
  it("amounts of the facts the tools use appear only in the facts", () => {
    const strip = (src: string) => src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const code = ["loan/guidance.ts", "deposit/guidance.ts"].map((f) => strip(readFileSync(join(ROOT, "src/skills", f), "utf8"))).join("\n");
    const ids = [
      ...kb.facts.filter((f) => f.id.startsWith("workerDepositCap.") || f.id.startsWith("loan.") || f.id.startsWith("eps.deposit")).map((f) => f.id),
      "penalties.worker.overstay.min", "penalties.worker.overstay.max",
      "penalties.company.depositOrientationContract.min", "penalties.company.depositOrientationContract.max",
    ];
    for (const id of ids) {
      const v = fact(id).value;
      if (v < 1_000_000) continue;
      const forms = [String(v), v.toLocaleString("vi-VN"), `${v / 1e6} triệu`, `${v / 1e6}tr`, `${v / 1e6}_000_000`];
      for (const form of forms) expect(code.includes(form), `${id}: "${form}" in code`).toBe(false);
    }
  });
});

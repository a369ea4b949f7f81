import { describe, expect, it } from "vitest";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { unverifiedContacts } from "../src/knowledge/check.ts";
import { fold } from "../src/text/normalize.ts";
import {
  SCAM_FLAG_IDS,
  scamCheck,
  type ScamCheckInput,
  type ScamCheckResult,
  type ScamFlagId,
} from "../src/skills/scam/check.ts";
import { scamTexts } from "../src/skills/scam/texts.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";
import { skillTool } from "../src/skills/skill.ts";
import { scamSkill } from "../src/skills/scam/index.ts";

const kb = await loadKnowledge(KNOWLEDGE_DIR);
// The verdicts' wording lives in prompts/skills/scam.yaml.
const VERDICT_TEXT = scamTexts(kb).verdicts;
const allowedContacts = new Set(kb.contacts.map((c) => (c.kind === "phone" ? c.value.replace(/\D/g, "") : c.value.toLowerCase())));

function expectWellFormed(r: ScamCheckResult): void {
  expect(r.status).toBe("checked");
  expect(r.answer.text.length).toBeLessThanOrEqual(1500);
  expect(r.answer.text).toContain(`Kết luận: ${r.verdictText}`);
  expect(r.answer.citations.length).toBeGreaterThan(0);
  for (const c of r.answer.citations) expect(kb.documents.has(c.doc), c.doc).toBe(true);
  for (const f of r.flags) {
    expect(f.citations.length, f.id).toBeGreaterThan(0);
    for (const c of f.citations) {
      expect(kb.documents.has(c.doc), `${f.id}: ${c.doc}`).toBe(true);
      expect(c.locator.length).toBeGreaterThan(0);
    }
    expect(f.explanation.length).toBeLessThanOrEqual(220);
  }
  for (const s of r.safeSteps) expect(s.citations.length).toBeGreaterThan(0);
  if ([...r.answer.citations, ...r.flags.flatMap((f) => f.citations)].some((c) => c.confidence !== "V-P")) {
    expect(r.answer.hedged).toBe(true);
    expect(r.answer.text).toMatch(/Hãy hỏi lại .+ cho chắc\./);
  }
  expect(unverifiedContacts(r.answer.text, allowedContacts)).toEqual([]);
}

/** One message per red flag, written with diacritics; each is also checked folded (no diacritics). */
const CASES: Array<[ScamFlagId, string]> = [
  ["guaranteed_selection", "Đơn hàng đi Nhật, bao đậu 100%, trượt hoàn tiền."],
  ["guaranteed_selection", "Cam kết đỗ phỏng vấn, không đậu hoàn lại tiền."],
  ["pay_before_contract", "Em cứ nộp tiền trước khi ký hợp đồng để công ty làm hồ sơ."],
  ["pay_before_contract", "Đóng 2000 đô trước rồi mới ký hợp đồng nhé."],
  ["personal_account", "Anh chuyển khoản vào tài khoản cá nhân của giám đốc cho nhanh."],
  ["personal_account", "Tiền dịch vụ chuyển vào tk riêng của chị kế toán."],
  ["unlicensed_recruiter", "Bên mình không cần giấy phép, người quen nhận lo đi Nhật."],
  ["unlicensed_recruiter", "Đi thẳng với chị, không cần qua công ty cho đỡ tốn."],
  ["missing_licence_info", "Tuyển gấp 20 nữ đi Đài Loan làm điện tử, lương 25 triệu. Liên hệ zalo chị Hoa."],
  ["tourist_visa", "Đi visa du lịch sang Hàn rồi ở lại làm, lương cao."],
  ["tourist_visa", "Sang Nhật diện du lịch xong trốn ra ngoài làm."],
  ["eps_impersonation", "Anh quen cán bộ Trung tâm Lao động ngoài nước, lo được suất EPS đi Hàn, nộp 50 triệu cho anh."],
  ["eps_impersonation", "Đi EPS không cần thi tiếng, có suất ngoại lệ."],
  ["brokerage_fee", "Công ty yêu cầu đóng tiền môi giới 3000 đô."],
  ["brokerage_fee", "Phải trả phí giới thiệu cho người môi giới mới có đơn."],
  ["selection_fee", "Nộp phí tuyển chọn 5 triệu trước khi phỏng vấn."],
  ["selection_fee", "Chuyển 10 triệu tiền giữ chỗ đơn hàng Nhật."],
  ["no_contract_or_papers", "Không cần hợp đồng, không cần giấy tờ, chỉ cần căn cước là đi được."],
  ["no_test_needed", "Đơn này không cần thi tiếng, không cần biết tiếng vẫn đi được."],
  ["high_pay_no_contract", "Việc nhẹ lương cao, thu nhập khủng, đi ngay."],
  ["trafficking_risk", "Tuyển nhân viên chăm sóc khách hàng online ở Campuchia, bao ăn ở, bao vé."],
  ["trafficking_risk", "Việc làm casino ở Myanmar, lương cao, không cần kinh nghiệm."],
  ["border_illegal_work", "Rủ sang Trung Quốc làm thuê chặt mía, không cần hộ chiếu."],
  ["extra_security", "Công ty giữ hộ chiếu và bắt thế chấp sổ đỏ làm tin."],
  ["extra_security", "Phải đặt cọc 30 triệu mới được học tiếng."],
  ["too_fast", "Hồ sơ cấp tốc, bay ngay sau 2 tuần."],
];

describe("scamCheck: each red flag, with and without diacritics", () => {
  it("has a case for every flag", () => {
    expect(new Set(CASES.map(([id]) => id))).toEqual(new Set(SCAM_FLAG_IDS));
  });

  it.each(CASES.flatMap(([id, text]) => [[id, "with diacritics", text] as const, [id, "without diacritics", fold(text)] as const]))(
    "%s (%s): %s",
    (id, _how, text) => {
      const r = scamCheck(kb, { text });
      expect(r.flags.map((f) => f.id)).toContain(id);
      expect(r.verdict).not.toBe("no_clear_sign");
      const flag = r.flags.find((f) => f.id === id)!;
      expect(flag.evidence).toBeTruthy();
      expectWellFormed(r);
    },
  );
});

describe("scamCheck: citations", () => {
  it("cites the brokerage ban as Luật 69/2020/QH14, Điều 7 khoản 8 (from the facts)", () => {
    const flag = scamCheck(kb, { text: "phải đóng tiền môi giới 2000 đô" }).flags.find((f) => f.id === "brokerage_fee")!;
    expect(flag.citations).toContainEqual(
      expect.objectContaining({ doc: "Luật 69/2020/QH14", locator: "Điều 7 khoản 8", factId: "brokerage.fromWorker" }),
    );
  });

  it("cites the deceptive-promise ban for 'bao đậu' and the service-fee timing for money before the contract", () => {
    const r = scamCheck(kb, { text: "bao đậu, nộp tiền trước khi ký hợp đồng" });
    expect(r.flags.find((f) => f.id === "guaranteed_selection")?.citations).toContainEqual(
      expect.objectContaining({ doc: "Luật 69/2020/QH14", locator: "Điều 7 khoản 1" }),
    );
    expect(r.flags.find((f) => f.id === "pay_before_contract")?.citations).toContainEqual(
      expect.objectContaining({ doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 2" }),
    );
  });

  it("takes every flag's locator from the card it names", () => {
    const everything = scamCheck(kb, { text: CASES.map(([, t]) => t).join(" ") });
    // The two "absence" flags stay quiet here: the joined text names companies and contracts.
    const absence = new Set<ScamFlagId>(["missing_licence_info", "high_pay_no_contract"]);
    expect(new Set(everything.flags.map((f) => f.id))).toEqual(new Set(SCAM_FLAG_IDS.filter((id) => !absence.has(id))));
    for (const f of everything.flags) {
      if (!f.cardId) continue;
      const card = kb.cards.find((c) => c.meta.id === f.cardId)!;
      for (const c of f.citations) {
        expect(card.meta.sources, `${f.id}: ${c.doc} ${c.locator}`).toContainEqual({ doc: c.doc, locator: c.locator });
      }
    }
    expectWellFormed(everything);
  });

  it("hedges the EPS flag (secondary sources) and names who can confirm", () => {
    const r = scamCheck(kb, { text: "Có người nhà làm ở Trung tâm Lao động ngoài nước, lo được suất EPS." });
    expect(r.answer.hedged).toBe(true);
    expect(r.answer.text).toContain("Hãy hỏi lại Trung tâm Lao động ngoài nước cho chắc.");
  });

  it("gives the 111 hotline (the only allowed number) for trafficking-type offers, hedged", () => {
    const r = scamCheck(kb, { text: "Sang Campuchia làm online, việc nhẹ lương cao, bao vé máy bay." });
    expect(r.answer.text).toContain("111");
    expect(r.answer.hedged).toBe(true);
    expectWellFormed(r);
  });
});

describe("scamCheck: verdicts", () => {
  it("many signs → 'nhiều dấu hiệu lừa đảo'", () => {
    const r = scamCheck(kb, { text: "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em trước khi ký hợp đồng." });
    expect(r.verdict).toBe("many_signs");
    expect(r.verdictText).toBe("nhiều dấu hiệu lừa đảo");
    expect(r.answer.text.startsWith("Kết luận: nhiều dấu hiệu lừa đảo.")).toBe(true);
    expect(r.answer.text).toContain("Công an xã, phường");
  });

  it("one sign → 'có dấu hiệu cần cẩn thận'", () => {
    const r = scamCheck(kb, { text: "Hồ sơ nhanh, bay ngay." });
    expect(r.verdict).toBe("caution");
    expect(r.verdictText).toBe(VERDICT_TEXT.caution);
  });

  const BENIGN = [
    "Công ty TNHH ABC, giấy phép số 123/LĐTBXH-GP, tuyển 20 nữ đi Nhật đơn hàng thực phẩm. Ký hợp đồng tại công ty, nộp tiền dịch vụ sau khi ký hợp đồng, có phiếu thu.",
    "Tôi muốn đi làm việc ở Nhật Bản thì cần chuẩn bị những gì?",
    "Công ty không thu tiền môi giới, không thu phí tuyển chọn, không giữ hộ chiếu của người lao động.",
    "Chương trình EPS đi Hàn Quốc năm nay thi tiếng Hàn vào tháng mấy?",
  ];
  it.each(BENIGN.flatMap((t) => [[t], [fold(t)]]))("no strong verdict for a benign message: %s", (text) => {
    const r = scamCheck(kb, { text });
    expect(r.flags.filter((f) => f.severity === "strong")).toEqual([]);
    expect(r.verdict).not.toBe("many_signs");
    expectWellFormed(r);
  });

  it("a plain benign message yields no flag, a cautious verdict and the checks to make", () => {
    const r = scamCheck(kb, { text: BENIGN[0]! });
    expect(r.flags).toEqual([]);
    expect(r.verdict).toBe("no_clear_sign");
    expect(r.answer.text).toContain("chưa thấy dấu hiệu rõ, vẫn cần kiểm tra");
    expect(r.answer.text).toContain("Bộ Nội vụ công bố");
    expect(r.answer.text).toContain("sau khi đã ký hợp đồng");
    expect(r.answer.text).toContain("UBND xã, phường");
    expect(r.answer.hedged).toBe(false);
  });

  it("reads accented text strictly: 'báo đâu' is not 'bao đậu'", () => {
    expect(scamCheck(kb, { text: "Nó báo đâu có gì đâu" }).flags).toEqual([]);
    expect(scamCheck(kb, { text: "Ai bảo đâu, tôi chỉ hỏi thôi." }).flags).toEqual([]);
    // Without diacritics the same letters may mean "bao đậu": the checker reads them so.
    expect(scamCheck(kb, { text: "bao dau co gi dau" }).flags.map((f) => f.id)).toContain("guaranteed_selection");
  });

  it("keeps the answer within 1,500 characters whatever the message", () => {
    const r = scamCheck(kb, { text: CASES.map(([, t]) => t).join("\n").repeat(3) });
    expect(r.answer.text.length).toBeLessThanOrEqual(1500);
    expect(r.verdict).toBe("many_signs");
  });
});

describe("scamCheck: input validation", () => {
  it.each([
    ["an empty text", { text: "" }],
    ["only spaces and punctuation", { text: "   ?!  " }],
    ["no text field", {}],
    ["a number", { text: 12345 }],
    ["a text over 8,000 characters", { text: "bao đậu ".repeat(2000) }],
  ])("returns a Vietnamese request for %s, never throws", (_what, input) => {
    const r = scamCheck(kb, input as unknown as ScamCheckInput);
    expect(r.status).toBe("invalid_input");
    expect(r.needsInput).toBe(true);
    expect(r.verdict).toBeNull();
    expect(r.answer.text).toMatch(/^(Bạn hãy|Tin quá dài)/);
  });

  it("the LangChain tool runs the same function and returns JSON and validates with zod", async () => {
    const t = skillTool(scamSkill, kb);
    expect(t.name).toBe("scam_check");
    const r = JSON.parse(await t.invoke({ text: "nộp phí giữ chỗ vào tài khoản cá nhân" })) as ScamCheckResult;
    expect(r.flags.map((f) => f.id)).toEqual(expect.arrayContaining(["selection_fee", "personal_account"]));
    await expect(t.invoke({} as never)).rejects.toThrow();
    await expect(t.invoke({ text: 5 } as never)).rejects.toThrow();
  });
});

describe("red flags are knowledge (knowledge/red-flags.yaml)", () => {
  it("names the file and the macro when a pattern uses an unknown one", () => {
    const broken = { ...kb, redFlags: { ...kb.redFlags, flags: [{ ...kb.redFlags.flags[0]!, when: [["{NOSUCH} tiền"]] }] } };
    expect(() => scamCheck(broken, { text: "bao đậu" })).toThrow(/red-flags\.yaml.*\{NOSUCH\}/);
  });

  it("reads every flag from the file, each with a citation", () => {
    expect(kb.redFlags.flags.length).toBeGreaterThanOrEqual(16);
    for (const f of kb.redFlags.flags) expect(f.cites.length, f.id).toBeGreaterThan(0);
  });
});

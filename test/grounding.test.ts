import { describe, expect, it } from "vitest";
import { buildEvidence, checkGrounding, extractClaims, withoutEchoes } from "../src/llm/grounding.ts";
import { parseNumberText as parseNumber } from "../src/text/amount.ts";

const PASSAGE =
  "Luật 69/2020/QH14, Điều 23 khoản 4: tiền dịch vụ không quá 1 tháng tiền lương cho mỗi 12 tháng; hợp đồng từ 36 tháng trở lên thì không quá ba tháng tiền lương. " +
  "Điều 7: các hành vi bị cấm. Trả lời trong 7 ngày. Vay tối đa 100.000.000 đồng; ký quỹ không quá 3.000 USD; lãi suất 5 phần trăm. " +
  "Nghị định 338/2025/NĐ-CP có hiệu lực từ ngày 1 tháng 1 năm 2026, thay Nghị định 74/2019/NĐ-CP; các huyện thôi hoạt động từ 01/07/2025. Tra cứu tại https://dolab.gov.vn/danh-sach.";
const evidence = buildEvidence([PASSAGE], ["Luật 69/2020/QH14"]);
const check = (answer: string) => checkGrounding(answer, evidence);
const unsupported = (answer: string) => check(answer).unsupported.map((c) => c.text);

describe("grounding gate", () => {
  it("passes an answer whose figures and documents are all in the evidence", () => {
    const r = check("Tối đa 3 tháng lương nếu hợp đồng từ 36 tháng (Luật 69/2020/QH14, Điều 23 khoản 4).");
    expect(r.ok).toBe(true);
    expect(r.cited).toEqual([{ type: "luat", number: "69" }]);
    expect(r.figures.map((f) => f.key)).toEqual(["month:3", "month:36"]);
  });

  it("rejects a figure with the wrong unit even when the bare number appears elsewhere", () => {
    // "Điều 7" and "7 ngày" are in the passage; "7 tháng" is not.
    expect(unsupported("Tiền dịch vụ tối đa là 7 tháng lương (Luật 69/2020/QH14).")).toEqual(["7 thang luong"]);
    expect(unsupported("Tiền dịch vụ tối đa là bảy tháng lương.")).toEqual(["7 thang luong"]);
  });

  it("matches the same amount written in different ways", () => {
    for (const a of ["100 triệu đồng", "100.000.000đ", "100 triệu", "100.000.000 VNĐ"]) {
      expect(check(`Vay tối đa ${a}.`).ok, a).toBe(true);
    }
    expect(check("Ký quỹ không quá 3000 USD.").ok).toBe(true);
    expect(check("Ký quỹ không quá $3,000.").ok).toBe(true);
    expect(check("Ký quỹ không quá 3,000 USD.").ok).toBe(true);
    expect(unsupported("Vay tối đa 150 triệu đồng.")).toEqual(["150 trieu dong"]);
    expect(unsupported("Ký quỹ không quá 3.500 USD.")).toEqual(["3.500 usd"]);
    expect(unsupported("Ký quỹ không quá 3.000 yên.")).toEqual(["3.000 yen"]);
  });

  it("checks dates in any common spelling, and months against full dates", () => {
    for (const d of ["01/01/2026", "1/1/2026", "ngày 1 tháng 1 năm 2026", "2026-01-01", "1.1.2026"]) {
      expect(check(`Nghị định 338/2025/NĐ-CP áp dụng từ ${d}.`).ok, d).toBe(true);
    }
    expect(check("Huyện thôi hoạt động từ tháng 7/2025.").ok).toBe(true);
    expect(check("Huyện thôi hoạt động từ tháng 7 năm 2025.").ok).toBe(true);
    expect(unsupported("Nghị định 338/2025/NĐ-CP áp dụng từ 01/03/2026.")).toEqual(["01/03/2026"]);
    expect(unsupported("Huyện thôi hoạt động từ tháng 8/2025.")).toEqual(["thang 8/2025"]);
  });

  it("reads the units of an answer in English", () => {
    expect(check("The service fee is at most 3 months' salary (Luật 69/2020/QH14, Điều 23).").ok).toBe(true);
    expect(check("You may borrow up to 100 million dong.").ok).toBe(true);
    expect(unsupported("The service fee is at most 7 months' salary.")).toEqual(["7 months"]);
    expect(unsupported("The deposit is 3,500 dollars.")).toEqual(["3,500 dollars"]);
  });

  it("checks percentages", () => {
    expect(check("Lãi suất 5%.").ok).toBe(true);
    expect(unsupported("Lãi suất 6%.")).toEqual(["6%"]);
  });

  it("rejects a citation of a document that was not retrieved, however it is written", () => {
    expect(check("Theo Nghị định 338/2025/NĐ-CP và NĐ 74/2019 cũ.").ok).toBe(true);
    expect(check("Theo Nghị định số 338.").ok).toBe(true);
    expect(unsupported("Theo Nghị định 999/2025/NĐ-CP.")).toEqual(["nghi dinh 999/2025/nd-cp"]);
    expect(unsupported("Theo 12/2022/TT-BLĐTBXH.")).toEqual(["12/2022/tt-bldtbxh"]);
    // Same number, another kind of document.
    expect(unsupported("Theo Thông tư 338.")).toEqual(["thong tu 338"]);
  });

  it("rejects invented web addresses and phone numbers", () => {
    expect(check("Xem danh sách tại dolab.gov.vn.").ok).toBe(true);
    expect(unsupported("Xem tại https://xkld-uy-tin.com/dang-ky.")).toEqual(["https://xkld-uy-tin.com/dang-ky"]);
    expect(unsupported("Gọi 0912345678 để được tư vấn.")).toEqual(["0912345678"]);
  });

  it("checks digits written after letters, such as a language level", () => {
    const levels = buildEvidence(["Thực tập sinh cần tiếng Nhật trình độ N4 trở lên."]);
    expect(checkGrounding("Bạn cần tiếng Nhật N4.", levels).ok).toBe(true);
    expect(checkGrounding("Bạn cần tiếng Nhật N2.", levels).ok).toBe(false);
  });

  it("rejects a number too large to parse", () => {
    expect(check(`Tối đa ${"9".repeat(400)} đồng.`).ok).toBe(false);
  });

  it("does not read list numbering as a figure", () => {
    const r = check("1. Hỏi Ủy ban nhân dân xã.\n2. Hỏi Sở Nội vụ.\n3) Giữ phiếu thu.");
    expect(r).toMatchObject({ ok: true, figures: [] });
  });

  it("parses Vietnamese and English number spellings", () => {
    expect(parseNumber("1.500.000")).toBe(1_500_000);
    expect(parseNumber("1,5")).toBe(1.5);
    expect(parseNumber("2,500")).toBe(2500);
    expect(parseNumber("2.5")).toBe(2.5);
    expect(extractClaims("1,5 tỷ đồng")[0]!.key).toBe("vnd:1500000000");
    expect(extractClaims("2 nghìn USD")[0]!.key).toBe("usd:2000");
  });

  it("does not let a tool's echo of the model's own input ground a figure", () => {
    const toolOutput = buildEvidence(['{"charges":[{"months":7}],"answer":{"text":"7 tháng lương là cao hơn mức 3 tháng lương."}}']);
    const modelArgs = { charges: [{ kind: "service_fee", months: 7 }] };
    const cleaned = withoutEchoes(toolOutput, modelArgs, "phí dịch vụ tối đa bao nhiêu");
    expect(checkGrounding("Tối đa 7 tháng lương.", cleaned).ok).toBe(false);
    expect(checkGrounding("Tối đa 3 tháng lương.", cleaned).ok).toBe(true);
    // The person said 7 months: the tool's verdict on it may be repeated.
    const said = withoutEchoes(toolOutput, modelArgs, "cty doi 7 thang luong co dung khong");
    expect(checkGrounding("Công ty đòi 7 tháng lương là cao hơn mức cho phép.", said).ok).toBe(true);
  });
});

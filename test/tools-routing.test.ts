import { describe, expect, it } from "vitest";
import { ask } from "./helpers.ts";

// The offline engine calls the same tool code the LLM mode will: these go through Engine.handle.
describe("the engine routes computed questions to the tools", () => {
  it("loan with an amount: says whether collateral is needed for that amount", async () => {
    const r = await ask("vay 250 trieu di nhat co phai the chap khong");
    expect(r.intent).toBe("loan");
    expect(r.text).toContain("Bạn muốn vay 250 triệu đồng");
    expect(r.text).toMatch(/tài sản bảo đảm/);
    expect(r.citations.map((c) => c.doc)).toContain("Nghị định 338/2025/NĐ-CP");
  });

  it("deposit amount for a market: compares it with the cap", async () => {
    const r = await ask("ký quỹ 20 triệu đi Đài Loan có được không");
    expect(r.intent).toBe("deposit");
    expect(r.text).toContain("12 triệu đồng");
    expect(r.text).toContain("8 triệu đồng");
  });

  it("a forwarded recruitment post with several red flags: lists them with citations", async () => {
    const post =
      "TUYỂN GẤP 20 nam nữ đi Nhật đơn hàng nhà máy, bao đậu 100%, không cần thi tiếng, phí trọn gói 150tr, " +
      "đặt cọc trước 30tr để giữ suất, chuyển khoản vào tk cá nhân chị Hoa, bay ngay sau 1 tháng";
    const r = await ask(post);
    expect(r.intent).toBe("scam_check");
    expect(r.text).toMatch(/lừa đảo|cẩn thận/);
    expect(r.citations.length).toBeGreaterThan(0);
    expect(r.text).not.toMatch(/https?:\/\//);
  });

  it("a 'where' question naming a place: the offices of that place, no invented contact", async () => {
    const r = await ask("toi o cao bang muon dang ky di lam viec nuoc ngoai thi den dau");
    expect(r.intent).toBe("register");
    expect(r.text).toContain("Cao Bằng");
    expect(r.text).not.toMatch(/\b0\d{8,10}\b/);
  });
});

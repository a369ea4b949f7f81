import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Engine } from "../src/engine/engine.ts";
import { openStore } from "../src/store/store.ts";
import { readFeeMessage, parseContractMonths, parseSalary } from "../src/skills/fee/dialog.ts";
import { realEngine, tempDir } from "./helpers.ts";

let base: Engine;
beforeAll(async () => {
  base = await realEngine();
});

/** An engine over the shared index with its own session store (as after a restart). */
const ask = (engine: Engine, text: string, userId = "family") => engine.handle({ channel: "web", userId, text });
const engineWith = async (url: string) => new Engine(base.index, base.retriever, base.replies, await openStore(url), () => new Date("2026-12-01T08:00:00Z"));

describe("reading a fee question", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["cty doi 5 thang luong tien dich vu cho hd 3 nam di dai loan lam nha may", { market: "taiwan", job: "factory", contractMonths: 36, charges: [{ kind: "service_fee", months: 5 }] }],
    ["Công ty bắt đóng 2.000 đô tiền môi giới", { charges: [{ kind: "brokerage", amount: { value: 2000, currency: "USD" } }] }],
    ["ký quỹ 50 triệu đi Đài Loan", { market: "taiwan", charges: [{ kind: "deposit", amount: { value: 50_000_000, currency: "VND" } }] }],
    ["tien dich vu 3 thang luong va ky quy 12tr di dai loan", { market: "taiwan", charges: [{ kind: "service_fee", months: 3 }, { kind: "deposit", amount: { value: 12_000_000, currency: "VND" } }] }],
    ["phí giữ chỗ 10tr để có đơn đi nhật", { market: "japan", charges: [{ kind: "selection_fee", amount: { value: 10_000_000, currency: "VND" } }] }],
    ["chưa ký hợp đồng mà bắt nộp tiền dịch vụ 60 triệu", { charges: [{ kind: "service_fee", amount: { value: 60_000_000, currency: "VND" }, when: "before_contract" }] }],
    ["cty bảo đưa tiền ký quỹ cho nhân viên cầm", { charges: [{ kind: "deposit", paidTo: "company_staff_personally" }] }],
    ["cham soc nguoi gia tai nha o dai loan 3 nam cty thu 2 thang luong", { market: "taiwan", job: "home_caregiver", contractMonths: 36, charges: [{ kind: "service_fee", months: 2 }] }],
  ];
  for (const [text, expected] of cases) {
    it(text, () => expect(readFeeMessage(base.index.kb, text)).toMatchObject(expected));
  }

  it("tells a contract length from months of salary, and finds the salary", () => {
    expect(parseContractMonths(base.index.kb, "5 tháng lương cho hợp đồng 2 năm")).toBe(24);
    expect(parseContractMonths(base.index.kb, "hd 3 nam, luong 30tr")).toBe(36);
    expect(parseContractMonths(base.index.kb, "hợp đồng 18 tháng")).toBe(18);
    expect(parseSalary(base.index.kb, "cty thu 150tr tron goi, luong tam 30tr/thang")).toEqual({ value: 30_000_000, currency: "VND" });
    expect(parseSalary(base.index.kb, "đòi 5 tháng lương")).toBeUndefined();
  });

  it("reads markets and jobs only in destination contexts", () => {
    const { markets } = base.index.kb;
    expect(markets.destination("xkld nhat")?.market).toBe("japan");
    expect(markets.destination("nhiều nhất bao nhiêu")).toBeUndefined();
    expect(markets.destination("giáo dục định hướng")).toBeUndefined();
    expect(markets.destination("sang dubai lam xay dung")?.market).toBe("middle_east");
    expect(markets.job("lam osin o dai loan")).toBe("domestic_worker");
    expect(markets.job("đánh cá xa bờ")).toBe("farfishing_crew");
  });
});

describe("fee check in chat", () => {

  it("answers the issue's three examples in one message each, with citations", async () => {
    const engine = await engineWith("memory://");
    const a = await ask(engine, "Công ty đòi 5 tháng lương tiền dịch vụ cho hợp đồng 3 năm đi Đài Loan làm nhà máy");
    expect(a.intent).toBe("fee_check");
    expect(a.text).toContain("CAO HƠN mức cho phép");
    expect(a.text).toContain("3 tháng lương");
    expect(a.citations[0]).toMatchObject({ doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a" });

    const b = await ask(engine, "Chăm sóc người già tại nhà ở Đài Loan 3 năm, thu 2 tháng lương, có đúng không");
    expect(b.text).toContain("CAO HƠN mức cho phép");
    expect(b.text).toContain("Mức tối đa là 1 tháng lương");
    expect(b.citations.map((c) => c.doc)).toContain("Thông tư 02/2024/TT-BLĐTBXH");

    const c = await ask(engine, "Công ty bắt đóng 2.000 đô tiền môi giới, có đúng không");
    expect(c.text).toContain("KHÔNG được thu");
    expect(c.citations[0]).toMatchObject({ doc: "Luật 69/2020/QH14", locator: "Điều 7 khoản 8" });
  });

  it("asks one question at a time with buttons, then answers", async () => {
    const engine = await engineWith("memory://");
    const q1 = await ask(engine, "cty doi 4 thang luong tien dich vu co dung ko");
    expect(q1.text).toContain("Bạn định đi nước nào?");
    expect(q1.suggestions).toContain("Đài Loan");
    const q2 = await ask(engine, "Đài Loan");
    expect(q2.text).toBe("Hợp đồng làm việc mấy năm?");
    expect(q2.suggestions).toContain("3 năm");
    const done = await ask(engine, "3 năm");
    expect(done.text).toContain("vượt 1 tháng lương");
    expect(done.citations.length).toBeGreaterThan(0);
    // The flow is over: the next message is a new question.
    expect((await ask(engine, "ky quy di dai loan bao nhieu")).intent).toBe("deposit");
  });

  it("keeps a fee check in progress across a restart (sqlite session store)", async () => {
    const dir = await tempDir();
    const url = `sqlite://${join(dir.path, "store.sqlite")}`;
    const before = await engineWith(url);
    expect((await ask(before, "cty doi 100tr tien dich vu di nhat hd 3 nam")).text).toContain("Lương mỗi tháng");
    const after = await engineWith(url); // a new process would open the same file
    const reply = await ask(after, "30 triệu");
    expect(reply.text).toContain("vượt");
    expect(reply.text).toContain("10.000.000 đồng");
    await dir.cleanup();
  });

  it("accepts 'không biết' and answers with what it has", async () => {
    const engine = await engineWith("memory://");
    await ask(engine, "cty doi 100tr tien dich vu di nhat hd 3 nam");
    const reply = await ask(engine, "không biết");
    expect(reply.text).toContain("cần thêm thông tin");
    expect(reply.text).toContain("3 tháng lương");
  });

  it("answers, without crashing, a sum in a currency the caps are not written in", async () => {
    const engine = await engineWith("memory://");
    const asked = await ask(engine, "cty doi phi dich vu 3000 usd di dai loan hop dong 3 nam", "c");
    expect(asked.text).toContain("Lương mỗi tháng");
    const reply = await ask(engine, "5000 nhân dân tệ", "c");
    expect(reply.text.length).toBeGreaterThan(0);
    expect(parseSalary(base.index.kb, "lương 5000 nhân dân tệ")).toBeUndefined();
    expect(readFeeMessage(base.index.kb, "cty doi 20000 nhan dan te tien dich vu").charges[0]?.amount).toBeUndefined();
  });

  it("stops on 'hủy' and drops an unfinished check when the person asks something else", async () => {
    const engine = await engineWith("memory://");
    await ask(engine, "cty doi 4 thang luong tien dich vu co dung ko", "a");
    expect((await ask(engine, "hủy", "a")).text).toContain("Đã dừng");
    await ask(engine, "cty doi 4 thang luong tien dich vu co dung ko", "b");
    const other = await ask(engine, "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?", "b");
    expect(other.intent).toBe("qa");
    expect(other.text).toContain("5.000");
  });

  it("keeps each person's check separate", async () => {
    const engine = await engineWith("memory://");
    await ask(engine, "cty doi 4 thang luong tien dich vu co dung ko", "x");
    const y = await ask(engine, "Đài Loan", "y");
    expect(y.intent).not.toBe("fee_check");
  });
});

describe("the fee check reads what the message already says", () => {
  it("asks what an unnamed sum is for, with the charges as buttons, then decides", async () => {
    const engine = await engineWith("memory://");
    const q = await ask(engine, "cty đòi 150 triệu có đúng không");
    expect(q.text).toContain("Khoản tiền này là tiền gì?");
    expect(q.suggestions).toEqual(expect.arrayContaining(["Tiền dịch vụ", "Tiền ký quỹ", "Tiền môi giới", "Không biết"]));
    const a = await ask(engine, "Tiền môi giới");
    expect(a.text).toContain("Tiền môi giới 150.000.000 đồng: KHÔNG được thu");
    expect(a.citations[0]).toMatchObject({ doc: "Luật 69/2020/QH14", locator: "Điều 7 khoản 8" });
  });

  it("takes the market from a salary in its currency and the length from 'hợp đồng 3 năm lương …'", async () => {
    const engine = await engineWith("memory://");
    const r = await ask(engine, "Hợp đồng 3 năm lương 20.000 Đài tệ, công ty thu 2 tháng lương tiền dịch vụ");
    expect(r.text).not.toMatch(/nước nào|mấy năm/);
    expect(r.text).toContain("trong mức cho phép");
    expect(r.text).toContain("60.000 TWD");
    expect(readFeeMessage(base.index.kb, "lương 1.200.000 yên, thu 2 tháng lương").market).toBe("japan");
    // Dollars and euros say nothing about where.
    expect(readFeeMessage(base.index.kb, "lương 1.200 đô, thu 2 tháng lương").market).toBeUndefined();
  });

  it("reads 'tiền chống trốn' as a deposit, and a charge named twice once", async () => {
    expect(readFeeMessage(base.index.kb, "công ty bắt nộp 30 triệu tiền chống trốn").charges).toEqual([
      { kind: "deposit", amount: { value: 30_000_000, currency: "VND" } },
    ]);
    const engine = await engineWith("memory://");
    const r = await ask(engine, "em đang làm ở Nhật, công ty môi giới đòi thêm 50 triệu tiền môi giới");
    expect(r.text.match(/Tiền môi giới/g)).toHaveLength(1);
    expect(r.text).toContain("KHÔNG được thu");
  });
});

import { describe, expect, it } from "vitest";
import { ruleIntent as intentOf } from "../src/engine/intent.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

const kb = await loadKnowledge(KNOWLEDGE_DIR);
const ruleIntent = (text: string) => intentOf(kb, text);

// Phrasings written for these tests, not taken from eval/questions.jsonl.
const cases: Array<[string, string | undefined]> = [
  ["chào ad", "greeting"],
  ["bot nay hoi dc gi", "help"],
  ["giá vàng sjc chiều nay", "out_of_scope"],
  ["cho em gặp cán bộ phụ trách với", "handoff"],
  ["toi can noi chuyen voi nguoi that", "handoff"],
  ["vay von ngan hang chinh sach di han duoc bao nhieu", "loan"],
  ["Vay 80tr đi Nhật có cần thế chấp không", "loan"],
  ["bị công ty lừa mất tiền thì tố cáo ở đâu", "find_office"],
  ["co nguoi hua bao do 100% khong can thi, co phai lua dao", "scam_check"],
  ["họ bảo chuyển tiền vào tài khoản cá nhân để giữ chỗ", "scam_check"],
  ["cty doi 4 thang luong tien dich vu hd 2 nam co dung luat ko", "fee_check"],
  ["Công ty bắt nộp 3.000 đô tiền môi giới, có hợp pháp không?", "fee_check"],
  ["di han theo cong ty thi ky quy bao nhieu", "deposit"],
  ["em muon dang ky di xuat khau lao dong", "register"],
  ["lam ho so vay xong thi nop o dau", "loan"],
  ["muon hoi ve di duc thi lien he dau", "find_office"],
  ["xkld nhat mat bao nhieu tien", undefined],
];

describe("intent rules", () => {
  for (const [text, intent] of cases) {
    it(`${text} → ${intent ?? "qa"}`, () => expect(ruleIntent(text)).toBe(intent));
  }

  it('tells the filler "vậy" from the verb "vay", and Đài Loan from a loan', () => {
    expect(ruleIntent("cty thu phi 2 thang luong, vay co dung khong")).toBe("fee_check");
    expect(ruleIntent("di dai loan lam nha may thi luong bao nhieu")).toBeUndefined();
  });

  it("does not mistake ordinary words for off-topic ones", () => {
    // "hồ sơ đề nghị" folds to "ho so de nghi", which contains "so de" (a lottery word).
    expect(ruleIntent("ho so de nghi ho tro nop o dau")).not.toBe("out_of_scope");
  });
});

describe("penalty questions", () => {
  it("are plain questions even when they name a charge or a red flag", () => {
    expect(ruleIntent("cong ty thu phi giu cho thi bi xu phat the nao")).toBeUndefined();
    expect(ruleIntent("doanh nghiệp giữ tiền ký quỹ quá hạn bị phạt bao nhiêu")).toBeUndefined();
  });
});

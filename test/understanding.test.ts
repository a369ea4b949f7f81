/**
 * Understanding a message: the main ask of a story, several asks in order, the situation
 * (market, stage, events, who writes, sums) and small talk — from the vocabulary in
 * knowledge/vocabulary/understanding.yaml.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { chatSentences, MAX_ASKS, understand } from "../src/understanding/understand.ts";
import { KNOWLEDGE_DIR, realEngine } from "./helpers.ts";
import { renderPlain } from "../src/channels/render.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

describe("chatSentences", () => {
  it("splits at sentence ends and at a question mark without a space, keeping amounts whole", () => {
    expect(chatSentences("Em nộp 4.800 USD rồi. Giờ sao ạ?có lấy lại được không")).toEqual(["Em nộp 4.800 USD rồi.", "Giờ sao ạ?", "có lấy lại được không"]);
    expect(chatSentences("1.5 tháng lương")).toEqual(["1.5 tháng lương"]);
  });
});

describe("understand", () => {
  it("takes the question that closes a story as the main ask, with the story's situation", () => {
    const u = understand(kb, "Con tôi đăng ký đi Nhật, đã đóng cho công ty 80 triệu. Nay cháu đổi ý không đi nữa. Công ty bảo không trả lại. Vậy cháu có lấy lại được tiền không?");
    expect(u.asks.map((a) => a.text)).toEqual(["Vậy cháu có lấy lại được tiền không?"]);
    expect(u.asks[0]!.yesNo).toBe(true);
    expect(u.story).toBe(true);
    expect(u.situation.market).toBe("japan");
    expect(u.situation.stages).toEqual(expect.arrayContaining(["paid", "withdrawing"]));
    expect(u.situation.events).toContain("refund_refused");
    expect(u.situation.asker).toBe("parent");
    expect(u.situation.amounts[0]).toEqual({ amount: { value: 80_000_000, currency: "VND" }, sentence: 0 });
  });

  it("starts at 'cho em hỏi' and keeps several asks in order, at most three", () => {
    const u = understand(kb, "Em đang học tiếng ở trung tâm. Cho em hỏi đi Đài Loan ký quỹ bao nhiêu? Tiền đó gửi ở đâu? Về nước có được trả lại không? Học phí có phải đóng không?");
    expect(u.asks).toHaveLength(MAX_ASKS);
    expect(u.asks[0]!.text).toBe("Cho em hỏi đi Đài Loan ký quỹ bao nhiêu?");
    expect(u.asks[0]!.yesNo).toBe(false);
    expect(u.asks[2]!.text).toBe("Về nước có được trả lại không?");
    expect(u.situation.stages).toContain("preparing");
  });

  it("reads a short message without punctuation as one ask", () => {
    const u = understand(kb, "ky quy di han bao nhieu");
    expect(u.asks.map((a) => a.text)).toEqual(["ky quy di han bao nhieu"]);
    expect(u.story).toBe(false);
    expect(u.situation.market).toBe("korea");
    expect(u.smallTalk).toBeUndefined();
  });

  it("knows small talk and control words, and not a question that starts like them", () => {
    expect(understand(kb, "cảm ơn bạn nhiều nha").smallTalk).toBe("thanks");
    expect(understand(kb, "alo alo").smallTalk).toBe("anyone");
    expect(understand(kb, "có ai không").smallTalk).toBe("anyone");
    expect(understand(kb, "Thôi").smallTalk).toBe("stop");
    expect(understand(kb, "ok").smallTalk).toBe("ok");
    expect(understand(kb, "cảm ơn, cho hỏi ký quỹ đi Nhật bao nhiêu").smallTalk).toBeUndefined();
  });

  it("reads scam events in a story that asks nothing", () => {
    const u = understand(kb, "Bà ấy hứa chắc đậu nếu đưa thêm tiền lót tay cho người phỏng vấn. Mỗi lần đi lại bắt nộp thêm.");
    expect(u.asks[0]!.implicit).toBe(true);
    expect(u.situation.events).toEqual(expect.arrayContaining(["bribe_promised", "extra_charges"]));
    expect(u.situation.eventSearches.length).toBe(u.situation.events.length);
  });

  it("reads events and stages abroad", () => {
    const u = understand(kb, "Em đang làm ở Đài Loan, chủ giữ hộ chiếu và nợ lương 3 tháng. Em phải làm gì?");
    expect(u.situation.market).toBe("taiwan");
    expect(u.situation.stages).toContain("abroad");
    expect(u.situation.events).toEqual(expect.arrayContaining(["passport_kept", "unpaid_wages"]));
    expect(u.asks[0]!.text).toBe("Em phải làm gì?");
  });
});

describe("the engine reads the message first", () => {
  const say = async (text: string, userId = `u${Math.random()}`) => (await realEngine()).handle({ channel: "cli", userId, text });

  it("answers small talk and control words briefly, never with a card", async () => {
    expect((await say("cách nấu phở bò")).intent).toBe("out_of_scope");
    for (const text of ["cảm ơn bạn nhiều", "ok", "alo alo", "có ai không", "hủy", "thôi"]) {
      const r = await say(text);
      expect(r.citations, text).toEqual([]);
      expect(r.confident, text).toBe(false);
    }
    expect((await say("hủy")).text).toContain("không có việc gì đang làm dở");
  });

  it("starts the registration form on a bare 'đăng ký'", async () => {
    for (const text of ["đăng ký", "dang ki", "Đăng ký nhé"]) {
      const r = await say(text);
      expect(r.intent, text).toBe("register");
      expect(r.text, text).toContain("Bạn có đồng ý không?");
    }
  });

  it("answers several asks in one reply: the main one first, another briefly with its citation", async () => {
    const engine = await realEngine();
    const r = await engine.handle({ channel: "cli", userId: "parts", text: "Em đang học tiếng ở trung tâm. Cho em hỏi đi Đài Loan ký quỹ bao nhiêu? Tiền dịch vụ tối đa bao nhiêu?" });
    expect(r.text).toMatch(/^Đi Đài Loan, tiền ký quỹ tối đa/);
    expect(r.text).toContain('Về câu "Tiền dịch vụ tối đa bao nhiêu?"');
    expect(r.citations.map((c) => c.doc)).toEqual(expect.arrayContaining(["Nghị định 112/2021/NĐ-CP", "Luật 69/2020/QH14"]));
    expect(renderPlain(r, engine.index.kb).length).toBeLessThanOrEqual(1500);
    // Not more than one caveat line.
    expect(r.text.split("\n").filter((l) => l.startsWith("Lưu ý")).length).toBeLessThanOrEqual(1);
  });

  it("does not start a fee check for a message that only tells what happened", async () => {
    const r = await say("Tôi đã đóng 200 triệu để đi làm ở Canada nhưng không đi được, người môi giới cũng không trả lại tiền");
    expect(r.text).not.toContain("Khoản tiền này là tiền gì?");
    expect(r.intent === "fee_check" ? r.citations.length : 1).toBeGreaterThan(0);
  });

  it("answers a story by its closing question, not by the fee check", async () => {
    const r = await say("Em đi Nhật, đã nộp cho công ty 80 triệu rồi. Giờ em đổi ý không muốn đi nữa. Em có lấy lại được tiền không ạ?");
    expect(r.intent).not.toBe("fee_check");
    expect(r.text).not.toContain("Bạn định đi nước nào?");
    expect(r.citations.length).toBeGreaterThan(0);
  });
});

describe("a card's yes/no opening", () => {
  it("is left out when the question is not a yes/no one, kept when it is", async () => {
    const { withoutYesNoOpening } = await import("../src/engine/compose.ts");
    expect(withoutYesNoOpening(kb, "Không. Người đi Nhật không phải ký quỹ.")).toBe("Người đi Nhật không phải ký quỹ.");
    expect(withoutYesNoOpening(kb, "Không được. Công ty phải trả.")).toBe("Công ty phải trả.");
    expect(withoutYesNoOpening(kb, "Ký quỹ tối đa 12 triệu đồng. Gửi ở ngân hàng.")).toBe("Ký quỹ tối đa 12 triệu đồng. Gửi ở ngân hàng.");
    const engine = await realEngine();
    const how = await engine.handle({ channel: "cli", userId: "yn1", text: "đi Nhật ký quỹ bao nhiêu" });
    const whether = await engine.handle({ channel: "cli", userId: "yn2", text: "đi nhật có phải ký quỹ không" });
    expect(how.text).not.toMatch(/^(Có|Không)\./);
    expect(whether.text).toMatch(/^Không\./);
  });
});

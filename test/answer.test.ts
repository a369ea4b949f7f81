import { describe, expect, it } from "vitest";
import { fold } from "../src/text/normalize.ts";
import { MAX_MESSAGE_CHARS } from "../src/engine/engine.ts";
import { Document } from "@langchain/core/documents";
import type { RankedQuery } from "../src/retrieval/retriever.ts";
import { ask } from "./helpers.ts";

/** The top three units of a ranking, each covering this share of the question. */
function withCoverage(ranked: RankedQuery, coverage: number): RankedQuery {
  return { ...ranked, documents: ranked.documents.slice(0, 3).map((d) => new Document({ ...d, metadata: { ...d.metadata, coverage } })) };
}

describe("answering from the client's documents", () => {
  for (const q of [
    "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?",
    "lang son dat muc tieu moi nam dua bao nhieu lao dong sang sung ta",
  ]) {
    it(`answers with the figure and cites the Lạng Sơn plan: ${q}`, async () => {
      const reply = await ask(q);
      expect(reply.intent).toBe("qa");
      expect(reply.text).toContain("5.000");
      expect(reply.citations[0]).toMatchObject({ doc: "Kế hoạch Tỉnh ủy Lạng Sơn", locator: "Mục II, điểm 2", status: "in_force" });
    });
  }

  it("says when a cited document is historical", async () => {
    const reply = await ask("Quận Long Biên phấn đấu mỗi năm đưa bao nhiêu lao động đi làm việc ở nước ngoài?");
    expect(reply.citations[0]?.doc).toBe("Kế hoạch UBND quận Long Biên");
    expect(reply.citations[0]?.status).toBe("history");
    expect(reply.text).toContain("01/07/2025");
  });

  it("every knowledge answer carries at least one citation with a locator", async () => {
    for (const q of ["Lai Châu đào tạo tiếng Hàn cho bao nhiêu người?", "cong van 5734 yeu cau bao cao gi"]) {
      const reply = await ask(q);
      if (reply.intent !== "qa") continue;
      expect(reply.citations.length, q).toBeGreaterThan(0);
      for (const c of reply.citations) expect(c.locator.length).toBeGreaterThan(0);
    }
  });
});

describe("out of scope and bad input", () => {
  for (const q of ["giá vàng hôm nay", "gia vang hom nay", "kết quả bóng đá tối qua", "công thức nấu phở bò ngon"]) {
    it(`refuses off-topic questions without citations: ${q}`, async () => {
      const reply = await ask(q);
      expect(reply.intent).toBe("out_of_scope");
      expect(reply.citations).toEqual([]);
    });
  }

  it("never answers from an irrelevant passage", async () => {
    const reply = await ask("cách trồng cây cà phê arabica");
    expect(reply.citations).toEqual([]);
    expect(reply.confident).toBe(false);
  });

  it("asks for a question when the message is empty or blank", async () => {
    for (const text of ["", "   ", "\u200b\u200b"]) {
      const reply = await ask(text);
      expect(reply.text).toMatch(/chưa gõ câu hỏi/);
    }
  });

  it("asks for a shorter message when it is too long", async () => {
    const reply = await ask("a".repeat(10_000));
    expect(reply.text).toContain("dài quá");
    expect(reply.text.length).toBeLessThan(200);
    expect(MAX_MESSAGE_CHARS).toBeLessThan(10_000);
  });

  it("explains that only text is read (stickers, photos)", async () => {
    const reply = await ask(null);
    expect(reply.text).toMatch(/chỉ đọc được tin nhắn chữ/);
  });

  it("greets and helps", async () => {
    expect((await ask("xin chào")).intent).toBe("greeting");
    expect((await ask("chao ban")).intent).toBe("greeting");
    expect((await ask("bạn làm được gì")).intent).toBe("help");
    expect((await ask("/help")).intent).toBe("help");
    const start = await ask("/start");
    expect(start.text.split("\n").length).toBeLessThanOrEqual(3);
  });

  it("treats HTML in a message as plain words", async () => {
    const reply = await ask("<script>alert(1)</script> Lạng Sơn mục tiêu Sùng Tả");
    expect(reply.text).not.toContain("<script>");
    expect(fold(reply.text)).toContain("sung ta");
  });
});

describe("composition: next step, follow-ups, clarifying questions, hand-off", () => {
  it("ends a card answer with one next step and offers follow-up questions as buttons", async () => {
    const reply = await ask("di han eps phai ky quy bao nhieu");
    expect(reply.intent).toBe("deposit");
    expect(reply.text).toMatch(/\nNên làm: /);
    expect(reply.text.match(/Nên làm: /g)).toHaveLength(1);
    expect(reply.suggestions.length).toBeLessThanOrEqual(2);
    const engine = await (await import("./helpers.ts")).realEngine();
    // A follow-up is a question some card lists, so pressing it finds that card.
    const listed = new Set(engine.index.kb.cards.flatMap((c) => c.meta.questions));
    for (const s of reply.suggestions) expect(listed.has(s), s).toBe(true);
  });

  it("asks which question was meant, with buttons, when the best match is close but not enough", async () => {
    const engine = await (await import("./helpers.ts")).realEngine();
    const ranked = await engine.answerer.rank("di dai loan ky quy bao nhieu");
    const reply = engine.answerer.compose(withCoverage(ranked, 0.3), "qa");
    expect(reply.confident).toBe(false);
    expect(reply.citations).toEqual([]);
    expect(reply.text).toContain("Mình chưa chắc bạn hỏi điều nào");
    expect(reply.suggestions.length).toBeGreaterThan(0);
  });

  it("says plainly when nothing is close enough, without buttons or citations", async () => {
    const engine = await (await import("./helpers.ts")).realEngine();
    const ranked = await engine.answerer.rank("di dai loan ky quy bao nhieu");
    const reply = engine.answerer.compose(withCoverage(ranked, 0.1), "qa");
    expect(reply.intent).toBe("out_of_scope");
    expect(reply.suggestions).toEqual([]);
    expect(reply.citations).toEqual([]);
  });

  it("explains where to meet an officer when asked for a person", async () => {
    const reply = await ask("cho tôi nói chuyện với cán bộ");
    expect(reply.intent).toBe("handoff");
    expect(reply.text).toContain("Ủy ban nhân dân xã, phường");
  });

  it("answers English questions from the Vietnamese knowledge", async () => {
    const reply = await ask("How much deposit for Taiwan?");
    expect(reply.intent).toBe("deposit");
    expect(reply.citations.length).toBeGreaterThan(0);
    expect(reply.text).toMatch(/12 triệu/);
  });

  it("fixes a typing slip before searching", async () => {
    const engine = await (await import("./helpers.ts")).realEngine();
    expect(engine.retriever.correctQuery("vay vonn di xkld")).toBe("vay von di xkld");
    expect(engine.retriever.correctQuery("Vay vốn")).toBe("Vay vốn");
  });
});

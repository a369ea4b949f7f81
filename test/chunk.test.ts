import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chunkCard, chunkSource, headingLocator } from "../src/knowledge/chunk.ts";
import { loadKnowledge, parseCardBody } from "../src/knowledge/load.ts";
import { sourceFrontMatterSchema } from "../src/knowledge/schema.ts";
import { parse } from "yaml";
import { KNOWLEDGE_DIR, ROOT } from "./helpers.ts";

function fixtureSource() {
  const text = readFileSync(join(ROOT, "test/fixtures/plan.md"), "utf8");
  const [, fm, body] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text)!;
  return { meta: sourceFrontMatterSchema.parse(parse(fm!)), body: body!, file: "plan.md" };
}

describe("chunk locators", () => {
  it("reads the labels documents use", () => {
    expect(headingLocator("III. NHIỆM VỤ")).toBe("Mục III");
    expect(headingLocator("II- MỤC TIÊU")).toBe("Mục II");
    expect(headingLocator("2. Hỗ trợ")).toBe("điểm 2");
    expect(headingLocator("4.2. Hợp tác qua biên giới")).toBe("điểm 4.2");
    expect(headingLocator("a) Về vay vốn")).toBe("ý a");
    expect(headingLocator("Điều 23. Tiền dịch vụ")).toBe("Điều 23");
    expect(headingLocator("Phụ lục II")).toBe("Phụ lục II");
    expect(headingLocator("BÁO CÁO")).toBeUndefined();
  });

  it("splits a source along its structure and keeps the path as locator", () => {
    const chunks = chunkSource(fixtureSource());
    const byLocator = Object.fromEntries(chunks.map((c) => [c.metadata.locator, c.pageContent]));
    expect(byLocator["Mục I, điểm 1"]).toContain("Nâng cao nhận thức");
    expect(byLocator["Mục III, điểm 2, ý a"]).toContain("Ngân hàng Chính sách xã hội");
    expect(byLocator["Mục III, điểm 2, ý b"]).toContain("200 người");
    expect(byLocator["Phần mở đầu"]).toContain("Mở đầu");
    for (const c of chunks) expect(c.metadata.doc).toBe("Kế hoạch mẫu");
  });

  it("drops the recipients block and rejoins run-in headings", () => {
    const chunks = chunkSource(fixtureSource());
    const last = chunks.find((c) => c.metadata.locator === "Mục III, điểm 3")!;
    expect(last.pageContent).toBe("Các sở, ngành, ủy ban nhân dân các xã phối hợp thực hiện.");
    expect(chunks.some((c) => c.pageContent.includes("Nơi nhận"))).toBe(false);
  });

  it("gives each real source chunk a locator and each card one chunk plus its questions", async () => {
    const kb = await loadKnowledge(KNOWLEDGE_DIR);
    expect(kb.sources.length).toBe(5);
    const lang = kb.sources.find((s) => s.meta.short === "Kế hoạch Tỉnh ủy Lạng Sơn")!;
    const target = chunkSource(lang).find((c) => c.pageContent.includes("5.000 lao động"));
    expect(target?.metadata.locator).toBe("Mục II, điểm 2");
    for (const card of kb.cards) {
      const chunks = chunkCard(card);
      expect(chunks.filter((c) => c.metadata.kind === "card")).toHaveLength(1);
      expect(chunks.filter((c) => c.metadata.kind === "card_question")).toHaveLength(card.meta.questions.length);
    }
  });

  it("parses a card body into short answer, details and next steps", () => {
    const parsed = parseCardBody("Câu trả lời ngắn.\nDòng hai.\n\n## Chi tiết\n- Ý một (Luật 69/2020/QH14, Điều 23).\n- Ý hai.\n\n## Nên làm gì\n- Hỏi Sở Nội vụ.");
    expect(parsed.shortAnswer).toBe("Câu trả lời ngắn. Dòng hai.");
    expect(parsed.details).toEqual(["Ý một (Luật 69/2020/QH14, Điều 23).", "Ý hai."]);
    expect(parsed.nextSteps).toEqual(["Hỏi Sở Nội vụ."]);
  });
});

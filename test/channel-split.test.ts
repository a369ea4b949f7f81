import { describe, expect, it } from "vitest";
import { splitMessage } from "../src/channels/split.ts";

describe("one splitter for every channel", () => {
  it("returns short text as one message, trimmed, and nothing for blank text", () => {
    expect(splitMessage("  Xin chào\n\nBạn hỏi gì?  ", { max: 100 })).toEqual(["Xin chào\n\nBạn hỏi gì?"]);
    expect(splitMessage(" \n ", { max: 100 })).toEqual([]);
  });

  it("cuts an over-long line at a sentence end, then at a space", () => {
    const sentences = "Một câu ngắn. ".repeat(20).trim();
    for (const p of splitMessage(sentences, { max: 60 })) {
      expect(p.length).toBeLessThanOrEqual(60);
      expect(p.endsWith(".")).toBe(true);
    }
    const words = "chữ ".repeat(60).trim();
    const parts = splitMessage(words, { max: 50 });
    expect(parts.every((p) => p.length <= 50 && !p.startsWith(" ") && !p.endsWith(" "))).toBe(true);
    expect(parts.join(" ")).toBe(words);
  });

  it("never cuts inside a surrogate pair", () => {
    const text = `a${"😀".repeat(100)}`; // the pairs start at an odd index
    const parts = splitMessage(text, { max: 42 });
    for (const p of parts) expect(p).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]/);
    expect(parts.join("")).toBe(text);
  });

  it("html: never cuts inside a tag or an entity, and closes and reopens a tag open at the cut", () => {
    const line = `<b>Đậm</b> <i>${"nghiêng &amp; dài ".repeat(30)}</i>`;
    const parts = splitMessage(line, { max: 80, markup: "html" });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(80);
      expect((p.match(/<i>/g) ?? []).length).toBe((p.match(/<\/i>/g) ?? []).length);
      expect(p).not.toMatch(/&[a-z]*$|^[a-z]*;|<[^>]*$|^[^<]*>/);
    }
    const strip = (s: string) => s.replace(/<\/?i>/g, "").replace(/\s+/g, "");
    expect(strip(parts.join(""))).toBe(strip(line));
  });

  it("refuses a limit too small to keep words and tags whole", () => {
    expect(() => splitMessage("x", { max: 10 })).toThrow(/at least 40/);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { checkKnowledge, statedAmounts, unverifiedContacts } from "../src/knowledge/check.ts";
import { KnowledgeRetriever } from "../src/retrieval/retriever.ts";
import { realEngine } from "./helpers.ts";
import type { Engine } from "../src/engine/engine.ts";

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

describe("knowledge:check (the same checks npm run knowledge:check runs)", () => {
  it("passes: schemas, citations, contacts, facts agreement, every question finds its card", async () => {
    const retriever = KnowledgeRetriever.fromIndex(engine.index);
    const result = await checkKnowledge(engine.index.kb, async (q, k) => (await retriever.search(q, k)).map((h) => h.key));
    expect(result.errors).toEqual([]);
    expect(result.cardCount).toBeGreaterThanOrEqual(80);
  });

  it("covers every topic with at least one card", async () => {
    const result = await checkKnowledge(engine.index.kb);
    const empty = [...result.byTopic].filter(([, ids]) => ids.length === 0).map(([t]) => t);
    expect(empty).toEqual([]);
  });

  it("has the 34 provinces and no unverified office contacts", () => {
    const { offices } = engine.index.kb;
    expect(offices.provinces).toHaveLength(34);
    for (const t of offices.officeTypes) expect([t.contact.phone, t.contact.website, t.contact.address]).toEqual([null, null, null]);
  });
});

describe("check helpers", () => {
  it("reads amounts the way cards write them", () => {
    expect(statedAmounts("tối đa 12 triệu đồng").map((a) => [a.value, a.family])).toEqual([[12_000_000, "VND"]]);
    expect(statedAmounts("phạt 80 đến 100 triệu đồng").map((a) => a.value)).toEqual([80_000_000, 100_000_000]);
    expect(statedAmounts("đóng 100.000 đồng").map((a) => a.value)).toEqual([100_000]);
    expect(statedAmounts("không quá 0,4 tháng lương").map((a) => [a.value, a.family])).toEqual([[0.4, "months_salary"]]);
    expect(statedAmounts("ít nhất 20.000 Đài tệ").map((a) => [a.value, a.family])).toEqual([[20_000, "TWD"]]);
    expect(statedAmounts("5.000 lao động mỗi năm")).toEqual([]);
  });

  it("finds phone numbers and web addresses that are not verified", () => {
    const allowed = new Set(["111"]);
    expect(unverifiedContacts("Gọi 0912 345 678 hoặc xem www.example.vn", allowed)).toHaveLength(2);
    expect(unverifiedContacts("Gọi tổng đài 111 để báo tin", allowed)).toEqual([]);
    expect(unverifiedContacts("Gọi tổng đài 1900 1234", allowed)).toHaveLength(1);
    expect(unverifiedContacts("Nghị định 112/2021/NĐ-CP, Điều 23", allowed)).toEqual([]);
  });
});

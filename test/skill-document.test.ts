/**
 * Whether a legal document still applies, from the documents registry: the shared skill
 * contract, how documents are named in chat, and the engine routing the question here
 * instead of to a card that shares its words.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { documentSkill, documentStatus, namedDocuments } from "../src/skills/document/index.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { KNOWLEDGE_DIR, realEngine, withTexts } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

runSkillContract(documentSkill, {
  knowledge: () => kb,
  today: "2026-12-04",
  inputs: [
    { documents: ["Nghị định 12/2022/NĐ-CP"] },
    { documents: ["Nghị định 74/2019/NĐ-CP"] },
    { documents: ["Luật 69/2020/QH14"] },
    { documents: ["Chỉ thị 20-CT/TW", "Luật 72/2006/QH11"] },
  ],
  messages: ["nđ 12/2022 còn hiệu lực không", "Nghị định 74/2019 về vay vốn còn dùng được không?", "luật 72/2006 đã bị thay chưa"],
  notForIt: ["nghị định 283 phạt bao nhiêu", "văn bản 999/2031 còn hiệu lực không"],
});

describe("document status", () => {
  it("finds documents by number and year, or by kind and number when only one fits", () => {
    expect(namedDocuments(kb, "nđ 12/2022 còn hiệu lực ko")).toEqual(["Nghị định 12/2022/NĐ-CP"]);
    expect(namedDocuments(kb, "nghi dinh 74 con dung khong")).toEqual(["Nghị định 74/2019/NĐ-CP"]);
    expect(namedDocuments(kb, "chỉ thị 20 còn hiệu lực không")).toEqual(["Chỉ thị 20-CT/TW"]);
    expect(namedDocuments(kb, "văn bản 999/2031 còn không")).toEqual([]);
  });

  it("says when a document ended and what applies instead, with both as citations", () => {
    const r = documentStatus(kb, { documents: ["Nghị định 12/2022/NĐ-CP"] });
    expect(r.statuses[0]).toMatchObject({ known: true, status: "superseded", successor: { doc: "Nghị định 283/2026/NĐ-CP", from: "2026-09-10" } });
    expect(r.answer.text).toMatch(/^Nghị định 12\/2022\/NĐ-CP không còn hiệu lực từ 10\/09\/2026\./);
    expect(r.answer.text).toContain("Nghị định 283/2026/NĐ-CP");
    expect(r.answer.citations.map((c) => c.doc)).toEqual(["Nghị định 12/2022/NĐ-CP", "Nghị định 283/2026/NĐ-CP"]);
    // Graded V-P in the registry: no hedge.
    expect(r.answer.hedged).toBe(false);
    // Decree 74's replacement is known from the press only (V-S): hedged.
    expect(documentStatus(kb, { documents: ["Nghị định 74/2019/NĐ-CP"] }).answer.hedged).toBe(true);
  });

  it("says plainly when it does not know a document", () => {
    const r = documentStatus(kb, { documents: ["Nghị định 999/2031/NĐ-CP"] });
    expect(r.statuses[0]!.known).toBe(false);
    expect(r.answer.text).toContain("chưa có thông tin");
    expect(r.answer.citations).toEqual([]);
  });

  it("takes its wording from prompts/skills/document.yaml", () => {
    const changed = withTexts(kb, "skills/document", { superseded_until: "HẾT: {doc} ({date})" });
    expect(documentStatus(changed, { documents: ["Nghị định 12/2022/NĐ-CP"] }).answer.text).toMatch(/^HẾT: Nghị định 12\/2022\/NĐ-CP \(10\/09\/2026\)/);
  });

  it("is what the engine answers, not a card that shares the question's words", async () => {
    const engine = await realEngine();
    const r = await engine.handle({ channel: "cli", userId: "doc", text: "Nghị định 12/2022 còn hiệu lực không" });
    expect(r.intent).toBe("document_status");
    expect(r.text).toContain("Nghị định 283/2026/NĐ-CP");
    // A question about the rules themselves still goes to the knowledge.
    expect((await engine.handle({ channel: "cli", userId: "doc2", text: "nghị định 283 phạt công ty thu tiền môi giới bao nhiêu" })).intent).not.toBe("document_status");
  });
});

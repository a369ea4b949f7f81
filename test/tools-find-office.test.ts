import { describe, expect, it } from "vitest";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { unverifiedContacts } from "../src/knowledge/check.ts";
import { OFFICE_TASKS, type OfficeTask } from "../src/knowledge/offices-schema.ts";
import { fold } from "../src/text/normalize.ts";
import { findOffice, type FindOfficeInput, type FindOfficeResult } from "../src/skills/office/find.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";
import { skillTool } from "../src/skills/skill.ts";
import { officeSkill } from "../src/skills/office/index.ts";

const kb = await loadKnowledge(KNOWLEDGE_DIR);
const allowedContacts = new Set(kb.contacts.map((c) => (c.kind === "phone" ? c.value.replace(/\D/g, "") : c.value.toLowerCase())));

/** Every check that holds for any answer: length, citations known, hedge honest, no contacts. */
function expectWellFormed(r: FindOfficeResult): void {
  expect(r.answer.text.length).toBeLessThanOrEqual(1500);
  expect(r.answer.text.trim()).not.toBe("");
  for (const c of r.answer.citations) expect(kb.documents.has(c.doc), c.doc).toBe(true);
  for (const o of r.offices) expect(kb.documents.has(o.citation.doc), o.citation.doc).toBe(true);
  if (r.answer.citations.some((c) => c.confidence !== "V-P")) {
    expect(r.answer.hedged).toBe(true);
    expect(r.answer.text).toMatch(/Hãy hỏi lại .+ cho chắc\./);
  }
  expect(unverifiedContacts(`${r.answer.text}\n${JSON.stringify(r)}`, allowedContacts)).toEqual([]);
}

describe("findOffice: the 34 provinces", () => {
  it("has 34 provinces to test", () => {
    expect(kb.offices.provinces).toHaveLength(34);
  });

  describe.each(kb.offices.provinces.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    it.each([
      ["province, with diacritics", { province: p.name }],
      ["province, without diacritics", { province: fold(p.name) }],
      ["free-text place, with diacritics", { place: p.name }],
      ["free-text place, without diacritics, upper case", { place: fold(p.name).toUpperCase() }],
    ])("resolves by %s", (_how, where) => {
      const r = findOffice(kb, { ...where, task: "counselling" });
      expect(r.status).toBe("resolved");
      expect(r.needsInput).toBe(false);
      expect(r.province?.id).toBe(p.id);
      expect(r.oldName).toBeNull();
      expect(r.answer.text).toContain(p.name);
      expectWellFormed(r);
    });
  });
});

describe("findOffice: old names", () => {
  it.each(["Long Biên", "long bien", "Quận Long Biên", "q. long bien", "huyện Long Biên"])(
    "old district %j: ceased 01/07/2025, now in Hà Nội",
    (place) => {
      const r = findOffice(kb, { place, task: "register_interest" });
      expect(r.status).toBe("resolved");
      expect(r.oldName?.id).toBe("long-bien-district");
      expect(r.oldName?.ended).toBe("2025-07-01");
      expect(r.province?.id).toBe("ha-noi");
      expect(r.answer.text).toMatch(/không còn từ 01\/07\/2025/);
      expect(r.answer.text).toContain("Bồ Đề");
      // The citation comes from the old-names data (the commune-arrangement resolution).
      expect(r.answer.citations).toContainEqual(expect.objectContaining({ doc: "Nghị quyết 1656/NQ-UBTVQH15", locator: "toàn văn" }));
      expect(r.oldName?.citation.doc).toBe("Nghị quyết 1656/NQ-UBTVQH15");
      expect(r.answer.hedged).toBe(true);
      expectWellFormed(r);
    },
  );

  it("tells the old city (TP Cao Bằng) from the province (Cao Bằng)", () => {
    const city = findOffice(kb, { place: "TP Cao Bằng", task: "cv_certification" });
    expect(city.oldName?.id).toBe("cao-bang-city");
    expect(city.province?.id).toBe("cao-bang");
    expect(city.answer.text).toContain("01/07/2025");
    const province = findOffice(kb, { place: "Cao Bằng", task: "cv_certification" });
    expect(province.oldName).toBeNull();
    expect(province.province?.id).toBe("cao-bang");
  });

  const mergedProvinces = kb.offices.oldNames.filter((o) => o.level === "province");
  it("has merged provinces to test", () => {
    expect(mergedProvinces.length).toBeGreaterThanOrEqual(20);
  });

  it.each(mergedProvinces.flatMap((o) => [[o.old_name, o] as const, [fold(o.old_name), o] as const]))(
    "merged province %j resolves to its new province",
    (typed, o) => {
      const r = findOffice(kb, { province: typed, task: "register_interest" });
      expect(r.status).toBe("resolved");
      expect(r.oldName?.id).toBe(o.id);
      expect(r.province?.id).toBe(o.replaced_by.province);
      const newProvince = kb.offices.provinces.find((p) => p.id === o.replaced_by.province)!;
      expect(r.answer.text).toContain(newProvince.name);
      expect(r.answer.text).toContain("12/06/2025");
      expect(r.answer.citations).toContainEqual(expect.objectContaining({ doc: o.source.doc }));
      // The merger list is unverified (M): the answer says who can confirm.
      expect(r.answer.hedged).toBe(true);
      expectWellFormed(r);
    },
  );

  it("answers an old office name (Phòng LĐTBXH huyện) with today's offices", () => {
    const r = findOffice(kb, { place: "phòng lao động huyện", task: "cv_certification" });
    expect(r.status).toBe("resolved");
    expect(r.oldName?.id).toBe("phong-ldtbxh-district");
    expect(r.offices.map((o) => o.id)).toEqual(["commune_committee"]);
    expectWellFormed(r);
  });
});

describe("findOffice: communes, ambiguity, unknown places", () => {
  it("resolves a commune within its province", () => {
    const r = findOffice(kb, { province: "Ha Noi", commune: "Bo De", task: "cv_certification" });
    expect(r.status).toBe("resolved");
    expect(r.commune?.id).toBe("ha-noi-bo-de");
    expect(r.province?.id).toBe("ha-noi");
    expect(r.offices[0]?.where).toBe("UBND phường Bồ Đề");
    expectWellFormed(r);
  });

  it("reads a commune and province in one free text", () => {
    const r = findOffice(kb, { place: "phường Tân Giang, Cao Bằng", task: "register_interest" });
    expect(r.commune?.id).toBe("cao-bang-tan-giang");
    expect(r.province?.id).toBe("cao-bang");
  });

  it("takes the ward, not the old district, when 'Long Biên' is given as the commune", () => {
    const r = findOffice(kb, { province: "Hà Nội", commune: "Long Biên", task: "cv_certification" });
    expect(r.commune?.id).toBe("ha-noi-long-bien");
  });

  it("returns candidates for a partial name, and lets the accents narrow them", () => {
    const accented = findOffice(kb, { place: "Quảng", task: "loans" });
    expect(accented.status).toBe("ambiguous");
    expect(accented.needsInput).toBe(true);
    const ids = accented.candidates.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["quang-ninh", "quang-tri", "quang-ngai", "quang-binh", "quang-nam"]));
    expect(ids).not.toContain("tuyen-quang");
    expect(accented.answer.text).toMatch(/Bạn ở nơi nào\?/);
    expectWellFormed(accented);
    const plain = findOffice(kb, { place: "quang", task: "loans" });
    expect(plain.status).toBe("ambiguous");
    expect(plain.candidates.length).toBeGreaterThanOrEqual(5);
  });

  it("asks when the province and the commune disagree", () => {
    const r = findOffice(kb, { province: "Cao Bằng", commune: "Bồ Đề", task: "cv_certification" });
    expect(r.status).toBe("ambiguous");
    expect(r.candidates.map((c) => c.id)).toEqual(expect.arrayContaining(["cao-bang", "ha-noi-bo-de"]));
  });

  it.each(["Atlantis", "xyz abc", "Paris"])("asks for clarification for an unknown place %j", (place) => {
    const r = findOffice(kb, { place, task: "loans" });
    expect(r.status).toBe("unknown_place");
    expect(r.needsInput).toBe(true);
    expect(r.question).toMatch(/tỉnh, thành phố nào\?/);
    expect(r.province).toBeNull();
    expectWellFormed(r);
  });

  it("explains the end of the district level for an unknown district", () => {
    const r = findOffice(kb, { place: "huyện Xyz", task: "register_interest" });
    expect(r.status).toBe("unknown_place");
    expect(r.answer.text).toContain("01/07/2025");
    expect(r.answer.citations).toContainEqual(
      expect.objectContaining({ doc: "Luật Tổ chức chính quyền địa phương 72/2025/QH15", locator: "Điều 51 khoản 3" }),
    );
    expectWellFormed(r);
  });

  it("asks for the place when none is given for a local task", () => {
    const r = findOffice(kb, { task: "register_interest" });
    expect(r.status).toBe("unknown_place");
    expect(r.needsInput).toBe(true);
  });

  it("answers national tasks without a place, and despite an unknown one", () => {
    for (const input of [{ task: "eps" }, { place: "Atlantis", task: "licence_check" }] as FindOfficeInput[]) {
      const r = findOffice(kb, input);
      expect(r.status).toBe("resolved");
      expect(r.needsInput).toBe(false);
      expect(r.offices.length).toBeGreaterThan(0);
      expectWellFormed(r);
    }
  });

  it("never echoes a phone number or web address typed as a place", () => {
    const r = findOffice(kb, { place: "0912 345 678 www.lua-dao.vn", task: "loans" });
    expect(r.status).toBe("unknown_place");
    expectWellFormed(r);
  });
});

describe("findOffice: offices for each task", () => {
  it.each(OFFICE_TASKS.map((t) => [t]))("%s: every office that handles it, nearest first, cited", (task: OfficeTask) => {
    const r = findOffice(kb, { province: "Nghệ An", task });
    const expected = kb.offices.officeTypes.filter((o) => o.handles.includes(task)).map((o) => o.id);
    expect(r.offices.map((o) => o.id).sort()).toEqual([...expected].sort());
    for (const o of r.offices) {
      expect(o.handles).toContain(task);
      expect(o.handlesText.length).toBe(o.handles.length);
      expect(o.citation.locator.length).toBeGreaterThan(0);
    }
    expect(r.answer.text).toContain("hỏi tại");
    expectWellFormed(r);
  });

  it("orders complaints: provincial department before the ministry, and mentions the police", () => {
    const r = findOffice(kb, { province: "Lạng Sơn", task: "complaints" });
    expect(r.offices.map((o) => o.id)).toEqual(["home_affairs_department", "overseas_labour_department"]);
    expect(r.offices[0]?.where).toBe("Sở Nội vụ tỉnh Lạng Sơn");
    expect(r.answer.text).toContain("Công an xã, phường");
  });

  it("does not mention the police for other tasks", () => {
    expect(findOffice(kb, { province: "Lạng Sơn", task: "loans" }).answer.text).not.toContain("Công an");
  });

  it("is not hedged when every source is verified in the primary text", () => {
    const r = findOffice(kb, { task: "protection_abroad" });
    expect(r.answer.citations.every((c) => c.confidence === "V-P")).toBe(true);
    expect(r.answer.hedged).toBe(false);
    expect(r.answer.text).not.toContain("Hãy hỏi lại");
  });
});

describe("findOffice: input validation", () => {
  it.each([
    ["an unknown task", { task: "buy_visa" }],
    ["no task", { place: "Hà Nội" }],
    ["a place that is too long", { place: "x".repeat(300), task: "loans" }],
    ["a number as the province", { province: 42, task: "loans" }],
  ])("returns a Vietnamese question for %s, never throws", (_what, input) => {
    const r = findOffice(kb, input as unknown as FindOfficeInput);
    expect(r.status).toBe("invalid_input");
    expect(r.needsInput).toBe(true);
    expect(r.answer.text).toMatch(/[ạảãáàâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]/);
  });

  it("the LangChain tool runs the same function and returns JSON", async () => {
    const t = skillTool(officeSkill, kb);
    expect(t.name).toBe("find_office");
    const r = JSON.parse(await t.invoke({ place: "Long Biên", task: "loans" })) as FindOfficeResult;
    expect(r.status).toBe("resolved");
    expect(r.oldName?.id).toBe("long-bien-district");
  });

  it("the LangChain tool rejects an invalid task with zod", async () => {
    const t = skillTool(officeSkill, kb);
    await expect(t.invoke({ place: "Hà Nội", task: "buy_visa" } as never)).rejects.toThrow();
    await expect(t.invoke({ place: "Hà Nội" } as never)).rejects.toThrow();
  });
});

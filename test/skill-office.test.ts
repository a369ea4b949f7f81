/**
 * The office finder as a skill: the shared skill contract over its main cases, and what is
 * particular to it — wording (prompts/skills/office.yaml), task words
 * (knowledge/vocabulary/office.yaml) and place words (knowledge/vocabulary/places.yaml) come
 * from data, bad input gets a plain Vietnamese reply, a long answer fits one reply with its
 * hedge, and no contact that knowledge does not hold is ever printed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { unverifiedContacts } from "../src/knowledge/check.ts";
import { toCitations } from "../src/knowledge/cite.ts";
import { placesIn, provinceLabel, resolvePlace } from "../src/knowledge/places.ts";
import type { DataFiles } from "../src/knowledge/texts.ts";
import { findOffice, type FindOfficeInput } from "../src/skills/office/find.ts";
import { officeSkill, officeTaskIn, officeTexts } from "../src/skills/office/index.ts";
import { validateSkillData } from "../src/skills/skill.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { withinOneEdit } from "../src/text/edit-distance.ts";
import { fill, textRoom } from "../src/text/wording.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

const inputs: FindOfficeInput[] = [
  // An old district (V-S): ceased, the wards now covering it, hedged.
  { place: "Long Biên", task: "loans" },
  { place: "q. long bien", task: "register_interest" },
  // The old city, not the province.
  { place: "TP Cao Bằng", task: "cv_certification" },
  // A province and one of its wards.
  { province: "Cao Bằng", commune: "phường Thục Phán", task: "register_interest" },
  // A merged province (M), a complaint (the police line and the deception rule).
  { place: "Hà Giang", task: "complaints" },
  // Several places could be meant: ask which.
  { place: "Quảng", task: "counselling" },
  // An unknown old district, an unknown place, no place at all.
  { place: "huyện Zzyzx", task: "loans" },
  { place: "Zzyzx", task: "returnee_support" },
  { task: "counselling" },
  // A commune we have no data on.
  { province: "Hà Nội", commune: "xã Zzyzx", task: "direct_contract_registration" },
  // National tasks: the place does not change the office.
  { task: "eps" },
  { place: "Nghệ An", task: "licence_check" },
  { task: "protection_abroad" },
];

runSkillContract(officeSkill, {
  knowledge: () => kb,
  inputs,
  messages: [
    "Ở quận Long Biên thì vay vốn ở đâu?",
    "ở Cao Bằng muốn đi Hàn Quốc đăng ký ở đâu",
    "Tôi ở Nghệ An bị lừa tiền, khiếu nại ở đâu",
    "o ha tinh xac nhan so yeu ly lich o dau",
    "ở Thanh Hóa kiểm tra giấy phép công ty nào uy tín",
  ],
  notForIt: ["vay vốn ở đâu", "khiếu nại ở đâu", "đăng ký đi Nhật ở đâu"],
});

/** A copy of the knowledge base whose wording or vocabulary file `name` is `edit(data)`. */
function withData(kind: "texts" | "vocabulary", name: string, edit: (data: any) => unknown): KnowledgeBase {
  const files: DataFiles = { dir: kb[kind].dir, files: new Map(kb[kind].files) };
  const entry = files.files.get(name)!;
  files.files.set(name, { file: entry.file, data: edit(structuredClone(entry.data)) });
  return { ...kb, [kind]: files };
}

describe("office finder: wording comes from prompts/skills/office.yaml", () => {
  it("writes the answer with the file's sentences", () => {
    const t = officeTexts(kb);
    const r = findOffice(kb, { place: "Long Biên", task: "loans" });
    expect(r.answer.text).toContain(fill(t.offices_for, { task: t.tasks.loans }));
    expect(r.answer.text).toContain(t.no_contacts);
    expect(r.answer.text.split("\n").at(-1)).toBe(fill(t.hedge, { confirm_with: t.confirm_with }));
    expect(r.offices.map((o) => o.handlesText)).toContainEqual([t.tasks.loans]);
  });

  it("changes when the file changes", () => {
    const changed = withData("texts", "skills/office", (d) => {
      d.offices_for = "VIỆC {task} — HỎI Ở:";
      d.tasks.loans = "mượn tiền ngân hàng";
      d.where.social_policy_bank.province = "Ngân hàng Chính sách ({province})";
      return d;
    });
    const r = findOffice(changed, { province: "Cao Bằng", task: "loans" });
    expect(r.answer.text).toContain("VIỆC mượn tiền ngân hàng — HỎI Ở:");
    expect(r.offices[0]!.where).toBe("Ngân hàng Chính sách (tỉnh Cao Bằng)");
    expect(findOffice(kb, { province: "Cao Bằng", task: "loans" }).answer.text).not.toContain("HỎI Ở");
  });

  it("fails with the name of a missing key, at start-up as in use", () => {
    const missing = withData("texts", "skills/office", (d) => {
      delete d.tasks.loans;
      return d;
    });
    expect(() => validateSkillData(missing, [officeSkill])).toThrow(/skills\/office\.yaml: field "tasks\.loans"/);
    expect(() => findOffice(missing, { place: "Hà Nội", task: "eps" })).toThrow(/tasks\.loans/);
    const noWhere = withData("texts", "skills/office", (d) => {
      delete d.where.embassy.anywhere;
      return d;
    });
    expect(() => validateSkillData(noWhere, [officeSkill])).toThrow(/field "where\.embassy\.anywhere"/);
  });

  it("places only office types of knowledge/offices/office-types.yaml", () => {
    const ids = new Set(kb.offices.officeTypes.map((o) => o.id));
    for (const id of Object.keys(officeTexts(kb).where)) expect(ids.has(id), id).toBe(true);
  });

  it("writes no figure in its sentences: the number of provinces comes from the data", () => {
    const flat = (v: unknown): string[] => (typeof v === "string" ? [v] : Object.values(v as object).flatMap(flat));
    for (const text of flat(officeTexts(kb))) expect(text.replace(/\{\w+\}/g, ""), text).not.toMatch(/\d/);
    const r = findOffice(kb, { place: "Zzyzx", task: "loans" });
    expect(r.question).toContain(`danh sách ${kb.offices.provinces.length} tỉnh`);
  });

  it("cites each province with its own source in provinces.yaml", () => {
    const r = findOffice(kb, { province: "Cao Bằng", task: "counselling" });
    const p = kb.offices.provinces.find((x) => x.id === "cao-bang")!;
    expect(r.answer.citations).toContainEqual(expect.objectContaining({ doc: p.source!.doc, locator: p.source!.locator, confidence: p.confidence }));
  });
});

describe("office finder: words come from the vocabulary", () => {
  it("reads the task a message names from knowledge/vocabulary/office.yaml", () => {
    expect(officeTaskIn(kb, "ở Long Biên vay vốn ở đâu")).toBe("loans");
    expect(officeTaskIn(kb, "ở Hà Tĩnh xác nhận sơ yếu lý lịch ở đâu")).toBe("cv_certification");
    expect(officeTaskIn(kb, "ở Huế hỏi ở đâu")).toBe("counselling");
    const changed = withData("vocabulary", "office", (d) => {
      d.tasks.unshift({ task: "returnee_support", pattern: "\\bhoi o dau\\b" });
      d.default_task = "register_interest";
      return d;
    });
    expect(officeTaskIn(changed, "ở Huế hỏi ở đâu")).toBe("returnee_support");
    expect(officeTaskIn(changed, "ở Huế thì sao")).toBe("register_interest");
  });

  it("takes the EPS task from a destination a state programme goes to (knowledge/markets.yaml), not from a market name in code", () => {
    const korea = kb.markets.markets.find((m) => kb.markets.programmeOf(m.id))!;
    expect(officeTaskIn(kb, `ở Cao Bằng muốn đi ${korea.name} đăng ký ở đâu`)).toBe("eps");
    expect(officeTaskIn(kb, "ở Sơn La đi korea đăng ký ở đâu")).toBe("eps");
    const other = kb.markets.markets.find((m) => !kb.markets.programmeOf(m.id) && m.id !== "other")!;
    expect(officeTaskIn(kb, `ở Cao Bằng muốn đi ${other.name} đăng ký ở đâu`)).toBe("register_interest");
  });

  it("reads administrative words from knowledge/vocabulary/places.yaml", () => {
    // "huyện X": an old district we do not know → the district level ended.
    const t = officeTexts(kb);
    const district = findOffice(kb, { place: "huyện Zzyzx", task: "loans" });
    expect(district.answer.text).toContain(t.unknown_district.level_ended.split("{")[0]!);
    expect(findOffice(kb, { place: "khu Zzyzx", task: "loans" }).answer.text).not.toContain(t.unknown_district.level_ended.split("{")[0]!);
    const changed = withData("vocabulary", "places", (d) => {
      d.kind_words.district.push("khu");
      d.official.province = "xứ";
      return d;
    });
    expect(findOffice(changed, { place: "khu Zzyzx", task: "loans" }).answer.text).toContain(t.unknown_district.level_ended.split("{")[0]!);
    const caoBang = kb.offices.provinces.find((p) => p.id === "cao-bang")!;
    expect(provinceLabel(changed, caoBang)).toBe("xứ Cao Bằng");
    expect(provinceLabel(kb, caoBang)).toBe("tỉnh Cao Bằng");
  });

  it("fails with the name of a missing place word", () => {
    const missing = withData("vocabulary", "places", (d) => {
      delete d.kind_words.commune;
      return d;
    });
    expect(() => validateSkillData(missing, [officeSkill])).toThrow(/places\.yaml: field "kind_words\.commune"/);
  });
});

describe("office finder: one place recogniser", () => {
  it("resolves every name a message mentions to a place today", () => {
    // One-syllable names ("Huế") are too ambiguous inside a sentence: placesIn leaves them out.
    for (const p of kb.offices.provinces.filter((x) => x.name.includes(" "))) {
      const names = placesIn(kb, `ở ${p.name} thì đăng ký ở đâu`);
      expect(names.length, p.name).toBeGreaterThan(0);
      for (const name of names) expect(resolvePlace(kb, name, undefined).kind, name).not.toBe("none");
    }
    for (const o of kb.offices.oldNames.filter((x) => x.level === "district" || x.level === "province")) {
      for (const name of placesIn(kb, `ở ${o.old_name} thì vay vốn ở đâu`)) expect(resolvePlace(kb, name, undefined).kind, name).not.toBe("none");
    }
  });

  it("takes one slip of the keyboard, not two", () => {
    expect(withinOneEdit("thai nguyen", "thai nguyn")).toBe(true);
    expect(withinOneEdit("nghe an", "nghe ann")).toBe(true);
    expect(withinOneEdit("lang son", "lanh son")).toBe(true);
    expect(withinOneEdit("lang son", "lang son")).toBe(true);
    expect(withinOneEdit("lang son", "lan sonn")).toBe(false);
    expect(withinOneEdit("ha noi", "ha nam")).toBe(false);
    expect(findOffice(kb, { place: "thai nguyn", task: "loans" }).province?.id).toBe("thai-nguyen");
    expect(findOffice(kb, { place: "thai ngyn", task: "loans" }).status).not.toBe("resolved");
  });
});

describe("office finder: bad input gets a plain Vietnamese reply", () => {
  it.each([
    ["an unknown task", { place: "Hà Nội", task: "buy_visa" }, "task"],
    ["no task", { place: "Hà Nội" }, "task"],
    ["a place that is too long", { place: "x".repeat(300), task: "loans" }, "bad_place"],
    ["a number as the province", { province: 42, task: "loans" }, "bad_place"],
  ] as const)("%s", (_what, input, key) => {
    const r = findOffice(kb, input as unknown as FindOfficeInput);
    expect(r.status).toBe("invalid_input");
    expect(r.answer.text).toBe(officeTexts(kb).questions[key]);
    expect(r.answer.citations).toEqual([]);
  });

  it("shows back only the letters of what was typed, quoted", () => {
    const r = findOffice(kb, { place: "<b>Zzyzx</b> 0912345678", task: "loans" });
    expect(r.answer.text).toContain("“b Zzyzx b”");
    expect(r.answer.text).not.toMatch(/[<>]|0912345678/);
    const nothing = findOffice(kb, { place: "12345 !!!", task: "loans" });
    expect(nothing.answer.text).toContain(officeTexts(kb).typed.nothing);
  });
});

describe("office finder: one reply, no contact that knowledge does not hold", () => {
  it("fits a long answer into one reply and keeps the hedge last", () => {
    const o = kb.offices.oldNames.find((x) => x.id === "long-bien-district")!;
    const long: KnowledgeBase = {
      ...kb,
      offices: { ...kb.offices, oldNames: kb.offices.oldNames.map((x) => (x === o ? { ...x, note: `${o.note} `.repeat(20) } : x)) },
    };
    const t = officeTexts(long);
    for (const task of ["loans", "complaints", "register_interest"] as const) {
      const r = findOffice(long, { place: "Long Biên", task });
      expect(r.answer.text.length, task).toBeLessThanOrEqual(textRoom(toCitations(long, r.answer.citations)));
      const lines = r.answer.text.split("\n");
      expect(lines[0], task).toContain(o.old_name);
      expect(lines.at(-1), task).toBe(fill(t.hedge, { confirm_with: t.confirm_with }));
    }
  });

  it("never prints a phone number, address or web address, even one an office type would carry", () => {
    const withContacts: KnowledgeBase = {
      ...kb,
      offices: {
        ...kb.offices,
        officeTypes: kb.offices.officeTypes.map((o) => ({ ...o, contact: { phone: "0243 999 8888", address: "Số 12 Phố Giả", website: "https://so-gia.example.vn" } })),
      },
    };
    const allowed = new Set(kb.contacts.map((c) => (c.kind === "phone" ? c.value.replace(/\D/g, "") : c.value.toLowerCase())));
    for (const input of inputs) {
      const r = findOffice(withContacts, input);
      const text = `${r.answer.text}\n${r.offices.map((o) => o.where).join("\n")}`;
      expect(unverifiedContacts(text, allowed), JSON.stringify(input)).toEqual([]);
      expect(text, JSON.stringify(input)).not.toMatch(/9998888|Phố Giả|so-gia/);
    }
  });
});

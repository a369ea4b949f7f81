import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadKnowledge } from "../src/knowledge/load.ts";
import {
  FORM_FIELDS,
  loadRegistrationPrompts,
  parseRegistrationState,
  readBirthYear,
  startRegistration,
  stepRegistration,
  type FormField,
  type Reason,
  type RegistrationState,
  type RegistrationStep,
  type RegistrationStepResult,
} from "../src/registration/form.ts";
import { formatVnMobile, normalizeVnMobile, vnMobileSchema, type PhoneError } from "../src/registration/phone.ts";
import { registrationDraftSchema, registrationSchema, type RegistrationDraft } from "../src/registration/types.ts";
import { KNOWLEDGE_DIR, PROMPTS_DIR, tempDir } from "./helpers.ts";

const kb = await loadKnowledge(KNOWLEDGE_DIR);
const prompts = loadRegistrationPrompts(PROMPTS_DIR);
/** 01/03/2026, 15:00 in Vietnam. */
const NOW = new Date("2026-03-01T08:00:00Z");
const B = prompts.buttons;

function start(now = NOW): RegistrationState {
  return startRegistration(now, prompts).state;
}

function step(state: RegistrationState, text: string, now = NOW): RegistrationStepResult {
  return stepRegistration(kb, state, text, now, prompts);
}

/** Feeds the answers in order; returns every result (the last one is the latest). */
function walk(state: RegistrationState, inputs: string[], options: { roundTrip?: boolean } = {}): RegistrationStepResult[] {
  const out: RegistrationStepResult[] = [];
  let s = state;
  for (const text of inputs) {
    const r = step(s, text);
    out.push(r);
    s = options.roundTrip ? (JSON.parse(JSON.stringify(r.state)) as RegistrationState) : r.state;
  }
  return out;
}

function last(results: RegistrationStepResult[]): RegistrationStepResult {
  return results[results.length - 1]!;
}

/** One answer per step of a whole form, in order, and the draft they give. */
const HAPPY: string[] = [
  B.agree, "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Hàn Quốc (EPS)", B.done, "thợ hàn 3 năm",
  "Biết chút ít", "Hộ cận nghèo", "Buổi tối", "Gọi sau 7 giờ tối giúp em", B.confirm,
];
const HAPPY_DRAFT: RegistrationDraft = {
  consentAt: NOW.toISOString(),
  fullName: "Nguyễn Văn An",
  phone: "+84912345678",
  birthYear: 1998,
  provinceId: "nghe-an",
  placeTyped: "xã Tân Lập",
  markets: ["japan", "korea"],
  trade: "thợ hàn 3 năm",
  languageLevel: "Biết chút ít",
  priorityGroup: "near_poor",
  contactTime: "Buổi tối",
  note: "Gọi sau 7 giờ tối giúp em",
};

/** The answers that lead to `target` (the happy path up to it). */
function reach(target: RegistrationStep): RegistrationState {
  let s = start();
  for (const text of HAPPY) {
    if (s.step === target) return s;
    s = step(s, text).state;
  }
  if (s.step === target) return s;
  throw new Error(`the happy path never reaches ${target}`);
}

function reasonText(code: Reason, values: Record<string, string | number> = {}): string {
  return prompts.reasons[code].replace(/\{(\w+)\}/g, (_, k: string) => String(values[k]));
}

function editButton(field: FormField): string {
  const label = prompts.fields[field];
  return `${B.edit} ${label.charAt(0).toLocaleLowerCase("vi")}${label.slice(1)}`;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("prompts/registration.yaml", () => {
  it("loads, with every reason, field and button", () => {
    expect(Object.keys(prompts.fields)).toEqual([...FORM_FIELDS]);
    expect(prompts.consent).toContain("{retention}");
    expect(prompts.undecided.button).toBe("Chưa biết");
    expect(kb.markets.registerButtons().map((b) => b.id)).toEqual(["japan", "korea", "taiwan", "germany", "europe", "middle_east"]);
  });

  it("names the file and the field when a key is missing or a placeholder is lost", async () => {
    const dir = await tempDir();
    try {
      const raw = parseYaml(readFileSync(join(PROMPTS_DIR, "registration.yaml"), "utf8")) as Record<string, Record<string, string>>;
      delete raw.reasons!.phone_landline;
      await writeFile(join(dir.path, "registration.yaml"), stringifyYaml(raw));
      expect(() => loadRegistrationPrompts(dir.path)).toThrow(/registration\.yaml: field "reasons\.phone_landline"/);
      const raw2 = parseYaml(readFileSync(join(PROMPTS_DIR, "registration.yaml"), "utf8")) as Record<string, unknown>;
      raw2.saved = "Đã lưu.";
      await writeFile(join(dir.path, "registration.yaml"), stringifyYaml(raw2));
      expect(() => loadRegistrationPrompts(dir.path)).toThrow(/field "saved": must contain \{case_id\}/);
    } finally {
      await dir.cleanup();
    }
  });
});

describe("the whole form", () => {
  it("asks consent first, explaining what, who, how long and how to delete", () => {
    const { state, reply } = startRegistration(NOW, prompts);
    expect(state).toMatchObject({ v: 1, step: "consent", history: [], data: {} });
    expect(reply.buttons).toEqual(["Đồng ý", "Không đồng ý"]);
    expect(reply.text).toContain("họ tên, số điện thoại, năm sinh");
    expect(reply.text).toContain("cán bộ lao động của xã, phường nơi bạn ở");
    expect(reply.text).toContain("Giữ bao lâu");
    expect(reply.text).toContain("/xoadulieu");
    expect(reply.text).not.toMatch(/\{\w+\}/);
  });

  it("goes through every step to a confirmed draft that passes the registration schema", () => {
    const results = walk(start(), HAPPY);
    const steps = results.map((r) => r.state.step);
    expect(steps).toEqual([
      "fullName", "phone", "birthYear", "province", "commune", "markets", "markets", "markets", "trade", "languageLevel",
      "priorityGroup", "contactTime", "note", "summary", "summary",
    ]);
    const end = last(results);
    expect(end.done).toEqual(HAPPY_DRAFT);
    expect(end.cancelled).toBeUndefined();
    expect(end.reply.text).toBe(prompts.submitting);
    expect(registrationDraftSchema.parse(end.done)).toEqual(HAPPY_DRAFT);
    const stored = {
      ...end.done, id: "DK-7F3K2", userKey: "telegram:42", status: "new", routedTo: "province:nghe-an",
      createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
    };
    expect(registrationSchema.safeParse(stored).success).toBe(true);
    // Until the engine has saved it, the form stays on the summary (a failed save loses nothing).
    expect(end.state.step).toBe("summary");
  });

  it("shows buttons at each step and a summary with every answer and a Sửa button per field", () => {
    const results = walk(start(), HAPPY.slice(0, -1));
    const byStep = (s: RegistrationStep) => results.find((r) => r.state.step === s)!.reply;
    expect(byStep("markets").buttons).toEqual(["Nhật Bản", "Hàn Quốc (EPS)", "Đài Loan", "Đức", "Châu Âu khác", "Trung Đông", "Chưa biết", "Xong", "Quay lại", "Hủy"]);
    expect(byStep("trade").buttons).toContain("Bỏ qua");
    expect(byStep("languageLevel").buttons).toEqual([...prompts.language_levels, "Bỏ qua", "Quay lại", "Hủy"]);
    expect(byStep("priorityGroup").buttons.slice(0, 6)).toEqual([
      "Hộ nghèo", "Hộ cận nghèo", "Người dân tộc thiểu số", "Bộ đội xuất ngũ", "Thân nhân người có công", "Không thuộc nhóm nào",
    ]);
    expect(byStep("priorityGroup").text).toContain("vay vốn");
    expect(byStep("contactTime").buttons).toEqual([...prompts.contact_times, "Quay lại", "Hủy"]);
    const summary = last(results).reply;
    for (const shown of ["Nguyễn Văn An", "0912 345 678", "1998", "Tỉnh Nghệ An", "xã Tân Lập", "Nhật Bản, Hàn Quốc", "thợ hàn 3 năm", "Hộ cận nghèo", "Buổi tối"]) {
      expect(summary.text).toContain(shown);
    }
    expect(summary.buttons[0]).toBe("Xác nhận");
    expect(summary.buttons[summary.buttons.length - 1]).toBe("Hủy");
    expect(summary.buttons).toContain("Sửa họ tên");
    expect(summary.buttons).toContain("Sửa số điện thoại");
    expect(summary.buttons.filter((b) => b.startsWith("Sửa "))).toHaveLength(FORM_FIELDS.length);
    for (const r of results) expect(r.reply.text).not.toMatch(/\{\w+\}/);
  });

  it("takes optional answers skipped, and a name typed in lower case tidied", () => {
    const inputs = [
      B.agree, "tran thi binh", "0987654321", "1990", "Cao Bằng", B.skip, "Chưa biết", B.skip, B.skip, "Không thuộc nhóm nào",
      "Giờ nào cũng được", B.skip, B.confirm,
    ];
    const end = last(walk(start(), inputs));
    expect(end.done).toEqual({
      consentAt: NOW.toISOString(), fullName: "Tran Thi Binh", phone: "+84987654321", birthYear: 1990, provinceId: "cao-bang",
      markets: ["undecided"], priorityGroup: "none", contactTime: "Giờ nào cũng được",
    });
    expect(registrationDraftSchema.safeParse(end.done).success).toBe(true);
  });

  it("never writes to the console (answers are personal data)", () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) => vi.spyOn(console, m));
    walk(start(), HAPPY);
    walk(start(), [B.agree, "Lê Văn Cường", "024 3825 1234", "Hủy"]);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe("consent", () => {
  it.each([["Không đồng ý"], ["không"], ["khong dong y"], ["Hủy"]])("%s ends the form and keeps nothing", (answer) => {
    const r = step(start(), answer);
    expect(r.cancelled).toBe(true);
    expect(r.done).toBeUndefined();
    expect(r.state.step).toBe("ended");
    expect(r.state.data).toEqual({});
    expect(r.reply.text).toBe(prompts.consent_refused);
    expect(r.reply.buttons).toEqual([]);
  });

  it.each([["có thể"], ["abc"], ["0912345678"]])("re-asks on %s", (answer) => {
    const r = step(start(), answer);
    expect(r.state.step).toBe("consent");
    expect(r.state.data.consentAt).toBeUndefined();
    expect(r.reply.text.startsWith(reasonText("consent_choose"))).toBe(true);
    expect(r.reply.buttons).toEqual(["Đồng ý", "Không đồng ý"]);
  });

  it.each([["Đồng ý"], ["dong y"], ["ok"], ["Có"]])("%s is consent, with the time recorded", (answer) => {
    const r = step(start(), answer);
    expect(r.state.step).toBe("fullName");
    expect(r.state.data.consentAt).toBe(NOW.toISOString());
  });
});

describe("each bad answer is asked again with a short reason", () => {
  const cases: Array<[RegistrationStep, string, Reason, Record<string, number>?]> = [
    ["fullName", "A", "name_too_short"],
    ["fullName", "Nguyễn Văn 3", "name_digits"],
    ["fullName", "Nguyễn @ An", "name_chars"],
    ["fullName", "Huy", "name_one_word"],
    ["fullName", `Nguyễn ${"a".repeat(100)}`, "name_too_long"],
    ["fullName", "Đồng ý", "stale_button"],
    ["fullName", "", "empty"],
    ["phone", "024 3825 1234", "phone_landline"],
    ["phone", "0912 345", "phone_too_short"],
    ["phone", "09123456789", "phone_too_long"],
    ["phone", "không nhớ", "phone_not_a_number"],
    ["phone", "+1 415 555 0100", "phone_foreign"],
    ["phone", "01689 123 456", "phone_old_prefix"],
    ["phone", "0912345678 hoặc 0987654321", "phone_several_numbers"],
    ["birthYear", "2015", "year_under_18"],
    ["birthYear", "2009", "year_under_18"],
    ["birthYear", "98", "year_format"],
    ["birthYear", "không biết", "year_format"],
    ["birthYear", "1900", "year_too_old"],
    ["birthYear", "2030", "year_future"],
    ["province", "Atlantis", "place_unknown"],
    ["province", "x".repeat(250), "place_too_long"],
    ["province", "Sở Lao động – Thương binh và Xã hội", "place_need_province"],
    ["commune", "Hà Nội", "commune_is_province"],
    ["commune", "0912345678", "commune_bad"],
    ["commune", "x".repeat(80), "place_too_long"],
    ["markets", "Xong", "markets_none"],
    ["markets", "sao Hỏa", "market_unknown"],
    ["trade", "x".repeat(201), "text_too_long", { max: 200 }],
    ["trade", "???", "text_no_letters"],
    ["trade", "Buổi sáng", "stale_button"],
    ["languageLevel", "x".repeat(101), "text_too_long", { max: 100 }],
    ["languageLevel", "!!!", "text_no_letters"],
    ["priorityGroup", "abc", "priority_choose"],
    ["priorityGroup", "hộ bị thu hồi đất nông nghiệp", "priority_not_listed"],
    ["contactTime", "x".repeat(101), "text_too_long", { max: 100 }],
    ["contactTime", "...", "text_no_letters"],
    ["note", "x".repeat(501), "text_too_long", { max: 500 }],
    ["note", "???", "text_no_letters"],
    ["summary", "abc", "summary_choose"],
    ["summary", "sửa tuổi", "summary_choose"],
  ];
  const states = new Map<RegistrationStep, RegistrationState>();
  it.each(cases)("%s: %j → %s", (target, input, code, values) => {
    if (!states.has(target)) states.set(target, reach(target));
    const before = states.get(target)!;
    const r = step(before, input);
    expect(r.state.step).toBe(target);
    expect(r.state.data).toEqual(before.data);
    expect(r.done).toBeUndefined();
    expect(r.cancelled).toBeUndefined();
    const lines = r.reply.text.split("\n");
    expect(lines[0]).toBe(reasonText(code, values));
    // The same question follows the reason, with its buttons.
    const question = target === "summary" ? prompts.summary_intro : prompts.questions[target as FormField].split("{")[0]!;
    expect(lines.slice(1).join("\n")).toContain(question);
    expect(r.reply.buttons).toContain(target === "summary" ? "Xác nhận" : "Quay lại");
  });

  it("covers at least two bad answers for every step that checks its answer", () => {
    const counts = new Map<string, number>();
    for (const [s] of cases) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of [...FORM_FIELDS, "summary"]) expect(counts.get(s) ?? 0, s).toBeGreaterThanOrEqual(2);
  });
});

describe("age", () => {
  it("accepts someone 18 this year and refuses someone 17", () => {
    const at = reach("birthYear");
    expect(step(at, "2008").state.step).toBe("province");
    const r = step(at, "2009");
    expect(r.state.step).toBe("birthYear");
    expect(r.reply.text).toContain("chưa đủ 18 tuổi");
  });

  it("counts the year in Vietnam: 31/12 at 18:00 UTC is already the new year there", () => {
    const newYearEve = new Date("2025-12-31T18:00:00Z");
    let s = start(newYearEve);
    for (const t of [B.agree, "Nguyễn Văn An", "0912345678"]) s = step(s, t, newYearEve).state;
    expect(step(s, "2008", newYearEve).state.step).toBe("province");
  });

  it("reads the year from a date or a sentence, and nothing from two years", () => {
    expect(readBirthYear("15/03/1998")).toBe(1998);
    expect(readBirthYear("em sinh năm 2001 ạ")).toBe(2001);
    expect(readBirthYear("１９９８")).toBe(1998);
    expect(readBirthYear("1998 hoặc 1999")).toBeUndefined();
    expect(readBirthYear("0912345678")).toBeUndefined();
  });
});

describe("place", () => {
  it("accepts an old district (Long Biên), says plainly what it is now and offers its wards", () => {
    const r = step(reach("province"), "Long Biên");
    expect(r.state.step).toBe("commune");
    expect(r.state.data.provinceId).toBe("ha-noi");
    expect(r.reply.text).toContain("Quận Long Biên không còn từ 01/07/2025. Nay thuộc thành phố Hà Nội.");
    expect(r.reply.buttons).toEqual(["Phường Bồ Đề", "Phường Việt Hưng", "Phường Phúc Lợi", "Phường Long Biên", "Bỏ qua", "Quay lại", "Hủy"]);
    const ward = step(r.state, "Phường Việt Hưng");
    expect(ward.state.step).toBe("markets");
    expect(ward.state.data).toMatchObject({ provinceId: "ha-noi", communeId: "ha-noi-viet-hung", oldPlaceTyped: "Quận Long Biên" });
    const end = last(walk(ward.state, HAPPY.slice(6)));
    expect(end.done).toMatchObject({ provinceId: "ha-noi", communeId: "ha-noi-viet-hung", placeTyped: "Quận Long Biên" });
  });

  it("accepts a merged province (Hà Giang → Tuyên Quang)", () => {
    const r = step(reach("province"), "Hà Giang");
    expect(r.state.data).toMatchObject({ provinceId: "tuyen-quang", oldPlaceTyped: "Hà Giang" });
    expect(r.reply.text).toContain("Tỉnh Hà Giang");
    expect(r.reply.text).toContain("tỉnh Tuyên Quang");
  });

  it("asks which place when a name fits several, with the places as buttons", () => {
    const r = step(reach("province"), "Quảng");
    expect(r.state.step).toBe("province");
    expect(r.state.pending?.candidates.length).toBeGreaterThan(1);
    expect(r.reply.text).toContain(prompts.place_choose);
    expect(r.reply.buttons).toContain("Tỉnh Quảng Ninh");
    const old = r.reply.buttons.find((b) => b.startsWith("Tỉnh Quảng Bình"))!;
    expect(old).toContain("tên cũ");
    const chosen = step(r.state, old);
    expect(chosen.state.data).toMatchObject({ provinceId: "quang-tri", oldPlaceTyped: "Quảng Bình" });
    expect(chosen.state.pending).toBeUndefined();
    expect(chosen.state.step).toBe("commune");
    // A number picks the button in that position.
    expect(step(r.state, "1").state.data.provinceId).toBe("quang-ninh");
    // Typing another place instead answers the question afresh.
    expect(step(r.state, "Đà Nẵng").state.data.provinceId).toBe("da-nang");
    // "Quay lại" leaves the choice and asks the province again.
    const back = step(r.state, B.back);
    expect(back.state.step).toBe("province");
    expect(back.state.pending).toBeUndefined();
  });

  it("takes a ward typed with its province at the province question, skipping the ward question", () => {
    const r = step(reach("province"), "phường Tân Giang, Cao Bằng");
    expect(r.state.data).toMatchObject({ provinceId: "cao-bang", communeId: "cao-bang-tan-giang" });
    expect(r.state.step).toBe("markets");
    expect(r.reply.text).toContain("Phường Tân Giang, tỉnh Cao Bằng");
    // Back goes to the province question, not the skipped one.
    expect(step(r.state, B.back).state.step).toBe("province");
  });

  it("keeps a ward we do not know as typed, even when a namesake exists in another province", () => {
    const at = step(reach("province"), "Nghệ An").state;
    const r = step(at, "Tân Giang");
    expect(r.state.data).toMatchObject({ provinceId: "nghe-an", communeTyped: "Tân Giang" });
    expect(r.state.data.communeId).toBeUndefined();
    expect(r.reply.text).toContain(prompts.commune_unknown_note);
  });

  it("resolves an old district named at the ward question, then asks the ward", () => {
    const at = step(reach("province"), "Cao Bằng").state;
    const r = step(at, "TP Cao Bằng");
    expect(r.state.step).toBe("commune");
    expect(r.reply.text).toContain("Thành phố Cao Bằng không còn từ 01/07/2025");
    expect(r.reply.buttons).toContain("Phường Thục Phán");
    expect(step(r.state, "Phường Thục Phán").state.data).toMatchObject({ communeId: "cao-bang-thuc-phan", oldPlaceTyped: "Thành phố Cao Bằng" });
  });
});

describe("markets", () => {
  const at = () => reach("markets");

  it("takes several, ticks the chosen ones, and a ticked button takes it off", () => {
    let r = step(at(), "Đài Loan");
    r = step(r.state, "Đức");
    expect(r.state.data.markets).toEqual(["taiwan", "germany"]);
    expect(r.reply.text).toContain("Đài Loan, Đức");
    expect(r.reply.buttons).toContain("✓ Đài Loan");
    r = step(r.state, "✓ Đài Loan");
    expect(r.state.data.markets).toEqual(["germany"]);
    r = step(r.state, B.done);
    expect(r.state.step).toBe("trade");
  });

  it("reads markets typed in words", () => {
    const r = step(at(), "nhật, đài loan và trung đông");
    expect(r.state.data.markets).toEqual(["japan", "taiwan", "middle_east"]);
    expect(step(at(), "Malaysia").state.data.markets).toEqual(["malaysia"]);
  });

  it("'Chưa biết' replaces the others and goes on", () => {
    const r = step(step(at(), "Nhật Bản").state, "Chưa biết");
    expect(r.state.data.markets).toEqual(["undecided"]);
    expect(r.state.step).toBe("trade");
  });
});

describe("priority group typed in words", () => {
  it.each([
    ["hộ cận nghèo", "near_poor"],
    ["nha em ho ngheo", "poor"],
    ["dân tộc Tày", "ethnic_minority"],
    ["em là bộ đội xuất ngũ", "demobilised_soldier"],
    ["con thương binh", "relative_of_merit"],
    ["không", "none"],
  ])("%s → %s", (text, group) => {
    const r = step(reach("priorityGroup"), text);
    expect(r.state.data.priorityGroup).toBe(group);
    expect(r.state.step).toBe("contactTime");
  });
});

describe("back", () => {
  it("goes to the previous question, shows the answer given and lets it be kept", () => {
    const atBirth = reach("birthYear");
    const r = step(atBirth, "Quay lại");
    expect(r.state.step).toBe("phone");
    expect(r.reply.text).toContain("Đang ghi: 0912 345 678");
    expect(r.reply.buttons).toEqual(["Giữ nguyên", "Quay lại", "Hủy"]);
    const kept = step(r.state, "Giữ nguyên");
    expect(kept.state.step).toBe("birthYear");
    expect(kept.state.data.phone).toBe("+84912345678");
    const changed = step(r.state, "0987 654 321");
    expect(changed.state.data.phone).toBe("+84987654321");
  });

  it("works at several steps in a row, back to consent", () => {
    const atMarkets = reach("markets");
    const seen = walk(atMarkets, ["back", "quay lai", "Quay lại", "Quay lại", "Quay lại", "Quay lại"]).map((r) => r.state.step);
    expect(seen).toEqual(["commune", "province", "birthYear", "phone", "fullName", "consent"]);
    const first = step(reach("consent"), "Quay lại");
    expect(first.state.step).toBe("consent");
    expect(first.reply.text.startsWith(prompts.first_step)).toBe(true);
  });

  it("from the summary goes to the last question", () => {
    expect(step(reach("summary"), B.back).state.step).toBe("note");
  });

  it("then forward again ends with the same draft", () => {
    const atTrade = reach("trade");
    const back = walk(atTrade, [B.back, B.done]);
    expect(last(back).state.step).toBe("trade");
    expect(last(walk(last(back).state, HAPPY.slice(9))).done).toEqual(HAPPY_DRAFT);
  });
});

describe("cancel", () => {
  it.each([["Hủy"], ["huỷ"], ["hủy đăng ký"], ["cancel"], ["Thôi"]])("%s at the phone question drops everything", (word) => {
    const r = step(reach("phone"), word);
    expect(r.cancelled).toBe(true);
    expect(r.state.step).toBe("ended");
    expect(r.state.data).toEqual({});
    expect(JSON.stringify(r.state)).not.toContain("Nguyễn");
    expect(r.reply.text).toBe(prompts.cancelled);
  });

  it("works from the summary", () => {
    const r = step(reach("summary"), "Hủy");
    expect(r.cancelled).toBe(true);
    expect(r.done).toBeUndefined();
    expect(r.state.data).toEqual({});
  });

  it("'huy' without diacritics cancels where no name is typed, but is a name at the name question", () => {
    expect(step(reach("birthYear"), "huy").cancelled).toBe(true);
    const r = step(reach("fullName"), "huy");
    expect(r.cancelled).toBeUndefined();
    expect(r.reply.text.split("\n")[0]).toBe(reasonText("name_one_word"));
  });

  it("an ended form given another message starts again", () => {
    const ended = step(reach("phone"), "Hủy").state;
    const r = step(ended, "0912345678");
    expect(r.state.step).toBe("consent");
    expect(r.reply.text.startsWith(prompts.restarted)).toBe(true);
  });
});

describe("edit from the summary", () => {
  const summary = () => reach("summary");

  it.each([
    ["fullName", "Lê Thị Hoa", { fullName: "Lê Thị Hoa" }],
    ["phone", "+84 98 765 4321", { phone: "+84987654321" }],
    ["birthYear", "1990", { birthYear: 1990 }],
    ["trade", "may công nghiệp", { trade: "may công nghiệp" }],
    ["priorityGroup", "Người dân tộc thiểu số", { priorityGroup: "ethnic_minority" }],
    ["note", B.skip, { note: undefined }],
  ] as Array<[FormField, string, Partial<RegistrationDraft>]>)("%s: one question, then back to the summary", (field, answer, expected) => {
    const open = step(summary(), editButton(field));
    expect(open.state.step).toBe(field);
    expect(open.reply.buttons).toContain("Giữ nguyên");
    const edited = step(open.state, answer);
    expect(edited.state.step).toBe("summary");
    expect(edited.state.editFrom).toBeUndefined();
    const done = step(edited.state, B.confirm).done!;
    expect(done).toEqual(JSON.parse(JSON.stringify({ ...HAPPY_DRAFT, ...expected })));
  });

  it("markets: add one, then Xong, back to the summary", () => {
    const open = step(summary(), "Sửa nước muốn đi");
    const r = walk(open.state, ["Đức", B.done]);
    expect(last(r).state.step).toBe("summary");
    expect(step(last(r).state, B.confirm).done?.markets).toEqual(["japan", "korea", "germany"]);
  });

  it("province: a new province asks the ward again, then the summary", () => {
    const open = step(summary(), "Sửa tỉnh, thành phố");
    const r = walk(open.state, ["Long Biên", "Phường Phúc Lợi"]);
    expect(r.map((x) => x.state.step)).toEqual(["commune", "summary"]);
    expect(step(last(r).state, B.confirm).done).toMatchObject({ provinceId: "ha-noi", communeId: "ha-noi-phuc-loi", placeTyped: "Quận Long Biên" });
  });

  it("province: the same province keeps the ward and goes straight back", () => {
    const r = step(step(summary(), "Sửa tỉnh, thành phố").state, "nghe an");
    expect(r.state.step).toBe("summary");
    expect(step(r.state, B.confirm).done).toEqual(HAPPY_DRAFT);
  });

  it("'Quay lại' while editing returns to the summary unchanged", () => {
    const open = step(summary(), "Sửa tỉnh, thành phố");
    const moved = step(open.state, "Cao Bằng");
    expect(moved.state.step).toBe("commune");
    const r = walk(moved.state, [B.back, B.back]);
    expect(r.map((x) => x.state.step)).toEqual(["province", "summary"]);
    expect(step(last(r).state, B.confirm).done).toEqual(HAPPY_DRAFT);
  });

  it("a summary missing an answer (a damaged state) asks that answer again instead of saving", () => {
    const damaged = reach("summary");
    delete damaged.data.phone;
    const r = step(damaged, B.confirm);
    expect(r.done).toBeUndefined();
    expect(r.state.step).toBe("phone");
    expect(r.reply.text.split("\n")[0]).toBe(reasonText("missing"));
    const fixed = step(r.state, "0912 345 678");
    expect(fixed.state.step).toBe("summary");
    expect(step(fixed.state, B.confirm).done).toEqual(HAPPY_DRAFT);
  });

  it("a bad answer while editing is asked again, still in the edit", () => {
    const open = step(summary(), "Sửa số điện thoại");
    const bad = step(open.state, "024 3825 1234");
    expect(bad.state.step).toBe("phone");
    expect(bad.reply.text.split("\n")[0]).toBe(reasonText("phone_landline"));
    expect(step(bad.state, "0977 111 222").state.step).toBe("summary");
  });
});

describe("a form in progress survives a restart", () => {
  it("every state is plain JSON: saving and reading it back after each message gives the same draft", () => {
    const results = walk(start(), HAPPY, { roundTrip: true });
    expect(last(results).done).toEqual(HAPPY_DRAFT);
    for (const r of results) expect(parseRegistrationState(JSON.parse(JSON.stringify(r.state)))).toEqual(r.state);
  });

  it("continues in the middle, including a place choice waiting for an answer", () => {
    const waiting = step(reach("province"), "Quảng").state;
    const revived = JSON.parse(JSON.stringify(waiting)) as RegistrationState;
    const r = step(revived, "Tỉnh Quảng Ninh");
    expect(r.state.data.provinceId).toBe("quang-ninh");
    expect(last(walk(r.state, HAPPY.slice(5))).done).toEqual({ ...HAPPY_DRAFT, provinceId: "quang-ninh" });
  });

  it("a state from another version, or damaged, starts the form again instead of failing", () => {
    const old = { ...reach("phone"), v: 0 };
    expect(parseRegistrationState(old)).toBeUndefined();
    const r = step(old as unknown as RegistrationState, "0912345678");
    expect(r.state.step).toBe("consent");
    expect(r.reply.text.startsWith(prompts.restarted)).toBe(true);
    expect(step({ nonsense: true } as unknown as RegistrationState, "hi").state.step).toBe("consent");
  });
});

describe("normalizeVnMobile", () => {
  const ok: Array<[string, string]> = [
    ["0912345678", "+84912345678"],
    ["0912 345 678", "+84912345678"],
    ["0912.345.678", "+84912345678"],
    ["0912-345-678", "+84912345678"],
    ["+84912345678", "+84912345678"],
    ["+84 912 345 678", "+84912345678"],
    ["84912345678", "+84912345678"],
    ["(+84) 912-345-678", "+84912345678"],
    ["+84 0912 345 678", "+84912345678"],
    ["0084 912 345 678", "+84912345678"],
    ["912345678", "+84912345678"],
    ["sđt: 0987 654 321 ạ", "+84987654321"],
    ["０９１２３４５６７８", "+84912345678"],
    ["0321234567", "+84321234567"],
    ["0561234567", "+84561234567"],
    ["0701234567", "+84701234567"],
    ["0812345678", "+84812345678"],
    ["0591234567", "+84591234567"],
  ];
  it.each(ok)("%s → %s", (input, phone) => {
    expect(normalizeVnMobile(input)).toEqual({ ok: true, phone });
    expect(vnMobileSchema.parse(input)).toBe(phone);
  });

  const bad: Array<[string, PhoneError]> = [
    ["", "empty"],
    ["   ", "empty"],
    ["không có", "not_a_number"],
    ["123", "too_short"],
    ["0912 345 67", "too_short"],
    ["09123456789", "too_long"],
    ["024 3825 1234", "landline"],
    ["+84 24 3825 1234", "landline"],
    ["0236 3821 111", "landline"],
    ["1900 1234", "service"],
    ["1800 599 920", "service"],
    ["01689123456", "old_prefix"],
    ["0123 456 7890", "old_prefix"],
    ["+1 415 555 0100", "foreign"],
    ["+82 10 1234 5678", "foreign"],
    ["00821012345678", "foreign"],
    ["0612345678", "not_mobile"],
    ["0112345678", "not_mobile"],
    ["0512345678", "not_mobile"],
    ["0912345678, 0987654321", "several_numbers"],
  ];
  it.each(bad)("%j → %s", (input, error) => {
    expect(normalizeVnMobile(input)).toEqual({ ok: false, error });
    const r = vnMobileSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(error);
  });

  it("every error code has a reason in the prompts", () => {
    for (const [, error] of bad) expect(prompts.reasons[`phone_${error}` as Reason]).toBeTruthy();
  });

  it("formats a normalised number the way people write it", () => {
    expect(formatVnMobile("+84912345678")).toBe("0912 345 678");
    expect(formatVnMobile("not a phone")).toBe("not a phone");
  });
});

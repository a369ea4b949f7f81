/**
 * The scam check as a skill: the shared skill contract over its main cases, and what is
 * particular to it — wording from prompts/skills/scam.yaml, words from
 * knowledge/vocabulary/{scam,police}.yaml, what the safe steps cite from
 * knowledge/red-flags.yaml, bad input, and long answers fitted into one reply.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { needsHedge, officeType, toCitations } from "../src/knowledge/cite.ts";
import { policeCard, policeVocabulary } from "../src/skills/answer.ts";
import { validateSkillData } from "../src/skills/skill.ts";
import { scamSkill, scamTexts, scamVocabulary } from "../src/skills/scam/index.ts";
import { scamCheck, type ScamCheckResult } from "../src/skills/scam/check.ts";
import { runSkillContract } from "../src/testing/contracts/skill.ts";
import { fill, MAX_REPLY_CHARS, textRoom } from "../src/text/wording.ts";
import { KNOWLEDGE_DIR } from "./helpers.ts";

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = await loadKnowledge(KNOWLEDGE_DIR);
});

/** Every kind of sign at once: more than one reply can hold. */
const EVERYTHING = [
  "Đơn hàng đi Nhật, bao đậu 100%, trượt hoàn tiền.",
  "Em cứ nộp tiền trước khi ký hợp đồng để công ty làm hồ sơ.",
  "Anh chuyển khoản vào tài khoản cá nhân của giám đốc cho nhanh.",
  "Bên mình không cần giấy phép, người quen nhận lo đi Nhật.",
  "Đi visa du lịch sang Hàn rồi ở lại làm, lương cao.",
  "Đi EPS không cần thi tiếng, có suất ngoại lệ.",
  "Công ty yêu cầu đóng tiền môi giới 3000 đô.",
  "Nộp phí tuyển chọn 5 triệu trước khi phỏng vấn.",
  "Không cần hợp đồng, không cần giấy tờ, chỉ cần căn cước là đi được.",
  "Tuyển nhân viên chăm sóc khách hàng online ở Campuchia, bao ăn ở, bao vé.",
  "Rủ sang Trung Quốc làm thuê chặt mía, không cần hộ chiếu.",
  "Công ty giữ hộ chiếu và bắt thế chấp sổ đỏ làm tin.",
  "Hồ sơ cấp tốc, bay ngay sau 2 tuần.",
].join(" ");

runSkillContract(scamSkill, {
  knowledge: () => kb,
  inputs: [
    // Many signs, V-P only: no hedge.
    { text: "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em trước khi ký hợp đồng." },
    // One sign.
    { text: "Hồ sơ nhanh, bay ngay." },
    // No sign: the checks to make, never "safe".
    { text: "Công ty TNHH ABC, giấy phép số 123/LĐTBXH-GP, tuyển 20 nữ đi Nhật đơn hàng thực phẩm. Ký hợp đồng tại công ty, nộp tiền dịch vụ sau khi ký hợp đồng, có phiếu thu." },
    // A V-S card: hedged, its confirm_with named.
    { text: "Có người nhà làm ở Trung tâm Lao động ngoài nước, lo được suất EPS." },
    // Trafficking-type offers: the hotline, hedged by its contact entry.
    { text: "Sang Campuchia làm online, việc nhẹ lương cao, bao vé máy bay." },
    { text: "Bao đậu 100%, sang Campuchia làm online, việc nhẹ lương cao." },
    { text: "Rủ sang Trung Quốc làm thuê chặt mía, không cần hộ chiếu." },
    // Without diacritics.
    { text: "cty doi dong tien moi gioi 3000 do, chuyen vao tk rieng cua chi ke toan" },
    // A denial, not a demand.
    { text: "Công ty không thu tiền môi giới, không thu phí tuyển chọn, không giữ hộ chiếu của người lao động." },
    // More than one reply can hold.
    { text: EVERYTHING },
    // Bad input: a plain request.
    { text: "  ?! " },
  ],
  messages: [
    "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em trước khi ký hợp đồng.",
    "Đi visa du lịch sang Hàn rồi ở lại làm, hồ sơ cấp tốc, bay ngay sau 2 tuần.",
    "cty doi dong tien moi gioi 3000 do, chuyen vao tk rieng cua chi ke toan",
    "Sang Campuchia làm online, việc nhẹ lương cao, bao vé máy bay.",
    EVERYTHING,
  ],
  notForIt: ["Lừa đảo xuất khẩu lao động thường như thế nào?", "bị lừa thì báo ở đâu", "bao đậu có thật không", "", "Đi Nhật cần giấy tờ gì?"],
});

/** The knowledge with one data file changed (texts or vocabulary). */
function withData(kind: "texts" | "vocabulary", name: string, edit: (data: Record<string, unknown>) => void): KnowledgeBase {
  const files = new Map(kb[kind].files);
  const entry = files.get(name)!;
  const data = structuredClone(entry.data) as Record<string, unknown>;
  edit(data);
  files.set(name, { ...entry, data });
  return { ...kb, [kind]: { ...kb[kind], files } };
}

const stepTexts = (r: ScamCheckResult) => r.safeSteps.map((s) => s.text);

describe("scam check: bad input", () => {
  it("is refused by the schema, and answered with a plain Vietnamese request from the prompts", () => {
    const schema = scamSkill.schema(kb);
    expect(schema.safeParse({}).success).toBe(false);
    expect(schema.safeParse({ text: 5 }).success).toBe(false);
    expect(schema.safeParse({ text: "bao đậu ".repeat(2000) }).success).toBe(false);
    const t = scamTexts(kb);
    for (const input of [{}, { text: 5 }, { text: "" }, { text: " ... " }]) {
      const r = scamCheck(kb, input as never);
      expect(r.status, JSON.stringify(input)).toBe("invalid_input");
      expect(r.answer.text).toBe(t.invalid.empty);
      expect(r.answer.citations).toEqual([]);
    }
    expect(scamCheck(kb, { text: "bao đậu ".repeat(2000) }).answer.text).toBe(t.invalid.too_long);
    expect(scamSkill.run(kb, { text: "" }, "2026-12-01").decided).toBe(false);
  });
});

describe("scam check: wording is data (prompts/skills/scam.yaml)", () => {
  it("changes its answer when the prompts change", () => {
    const changed = withData("texts", "skills/scam", (d) => {
      (d.verdicts as Record<string, string>).many_signs = "RẤT ĐÁNG NGỜ";
      d.step_line = "({number}) {step}";
      (d.steps as Record<string, string>).licence = "Hỏi số giấy phép.";
    });
    const text = "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em trước khi ký hợp đồng.";
    const r = scamCheck(changed, { text });
    expect(r.verdictText).toBe("RẤT ĐÁNG NGỜ");
    expect(r.answer.text.startsWith("Kết luận: RẤT ĐÁNG NGỜ.")).toBe(true);
    expect(r.answer.text).toContain("\n(1) Hỏi số giấy phép.\n(2) ");
    // The knowledge as shipped is untouched.
    expect(scamCheck(kb, { text }).answer.text).toContain(`\n1. ${scamTexts(kb).steps.licence}\n2. `);
  });

  it("fails validation naming a missing key", () => {
    const missing = withData("texts", "skills/scam", (d) => {
      delete (d.steps as Record<string, string>).police;
    });
    expect(() => validateSkillData(missing, [scamSkill])).toThrow(/skills\/scam\.yaml: field "steps\.police"/);
    const noHedge = withData("texts", "skills/scam", (d) => {
      delete d.hedge;
    });
    expect(() => scamCheck(noHedge, { text: "bao đậu" })).toThrow(/field "hedge"/);
  });

  it("writes no figure and no phone number in its wording: the hotline comes from contacts.yaml", () => {
    const flat = (v: unknown): string[] => (typeof v === "string" ? [v] : Object.values(v as object).flatMap(flat));
    for (const text of flat(scamTexts(kb))) expect(text.replace(/\{\w+\}/g, ""), text).not.toMatch(/\d/);
    const hotline = kb.contacts.find((c) => c.id === kb.redFlags.safe_steps!.hotline!.contact)!;
    const r = scamCheck(kb, { text: "Sang Campuchia làm online, việc nhẹ lương cao, bao vé máy bay." });
    expect(stepTexts(r)).toContain(fill(scamTexts(kb).steps.hotline, { hotline: hotline.value }));
    const otherNumber = { ...kb, contacts: kb.contacts.map((c) => (c.id === hotline.id ? { ...c, value: "1900 0000" } : c)) };
    expect(scamCheck(otherNumber, { text: "Sang Campuchia làm online, việc nhẹ lương cao." }).answer.text).toContain("đường dây nóng 1900 0000");
  });

  it("names the Department of Home Affairs from office-types.yaml when no card names who confirms", () => {
    const text = "Sang Campuchia làm online, việc nhẹ lương cao, bao vé máy bay.";
    const noConfirmer = { ...kb, cards: kb.cards.map((c) => ({ ...c, meta: { ...c.meta, confirm_with: undefined } })) };
    const hedgeOf = (k: KnowledgeBase) => scamCheck(k, { text }).answer.text.split("\n").at(-1);
    const t = scamTexts(kb);
    const office = officeType(kb, "home_affairs_department").name;
    expect(hedgeOf(noConfirmer)).toBe(fill(t.hedge, { office: fill(t.default_office, { office }) }));
    const renamed = {
      ...noConfirmer,
      offices: { ...kb.offices, officeTypes: kb.offices.officeTypes.map((o) => (o.id === "home_affairs_department" ? { ...o, name: "Sở Nội vụ X" } : o)) },
    };
    expect(hedgeOf(renamed)).toBe(fill(t.hedge, { office: fill(t.default_office, { office: "Sở Nội vụ X" }) }));
    // With the cards as shipped, the hotline card names who confirms.
    expect(hedgeOf(kb)).not.toContain(office);
  });
});

describe("scam check: words are data (knowledge/vocabulary/scam.yaml, police.yaml)", () => {
  it("reads a denial by the negation words of the vocabulary", () => {
    const denial = "Công ty không thu tiền môi giới.";
    expect(scamCheck(kb, { text: denial }).flags.map((f) => f.id)).not.toContain("brokerage_fee");
    const noNegation = withData("vocabulary", "scam", (d) => {
      d.negation = "(chẳng)";
    });
    expect(scamCheck(noNegation, { text: denial }).flags.map((f) => f.id)).toContain("brokerage_fee");
    const missing = withData("vocabulary", "scam", (d) => {
      delete d.negation;
    });
    expect(() => scamVocabulary(missing)).toThrow(/vocabulary\/scam\.yaml: field "negation"/);
  });

  it("points to the commune/ward police only while the card of police.yaml says so", () => {
    const text = "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em.";
    const police = scamTexts(kb).steps.police;
    expect(policeCard(kb)?.meta.id).toBe(policeVocabulary(kb).card);
    expect(stepTexts(scamCheck(kb, { text }))).toContain(police);
    // Not for a message without a flag.
    expect(stepTexts(scamCheck(kb, { text: "Tôi muốn đi làm việc ở Nhật Bản thì cần chuẩn bị những gì?" }))).not.toContain(police);

    const otherCard = withData("vocabulary", "police", (d) => {
      d.card = "no-such-card";
    });
    expect(policeCard(otherCard)).toBeUndefined();
    expect(stepTexts(scamCheck(otherCard, { text }))).not.toContain(police);

    const otherWords = withData("vocabulary", "police", (d) => {
      d.commune_police = "cong an huyen";
    });
    expect(policeCard(otherWords)).toBeUndefined();
    expect(stepTexts(scamCheck(otherWords, { text }))).not.toContain(police);

    const broken = withData("vocabulary", "police", (d) => {
      d.commune_police = "(cong an";
    });
    expect(() => validateSkillData(broken, [scamSkill])).toThrow(/vocabulary\/police\.yaml: field "commune_police": not a valid pattern/);
  });
});

describe("scam check: what the safe steps cite is knowledge (knowledge/red-flags.yaml, safe_steps)", () => {
  const withSteps = (edit: (s: NonNullable<KnowledgeBase["redFlags"]["safe_steps"]>) => void): KnowledgeBase => {
    const steps = structuredClone(kb.redFlags.safe_steps!);
    edit(steps);
    return { ...kb, redFlags: { ...kb.redFlags, safe_steps: steps } };
  };

  it("cites each step as the file says", () => {
    const r = scamCheck(kb, { text: "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em." });
    const { licence, money } = kb.redFlags.safe_steps!;
    expect(r.safeSteps[0]!.citations.map((c) => `${c.doc}, ${c.locator}`)).toEqual(licence.map((c) => ("doc" in c ? `${c.doc}, ${c.locator}` : c.fact)));
    expect(r.safeSteps[1]!.citations.map((c) => `${c.doc}, ${c.locator}`)).toEqual(money.map((c) => ("doc" in c ? `${c.doc}, ${c.locator}` : c.fact)));
  });

  it("lists the hotline for the flags the file names, and leaves it out without its contact", () => {
    const text = "Hồ sơ cấp tốc, bay ngay sau 2 tuần.";
    const hotlineStep = (k: KnowledgeBase, t: string) => stepTexts(scamCheck(k, { text: t })).some((s) => s.includes("111"));
    expect(hotlineStep(kb, text)).toBe(false);
    expect(hotlineStep(withSteps((s) => void (s.hotline!.flags = ["too_fast"])), text)).toBe(true);
    expect(hotlineStep(withSteps((s) => void (s.hotline!.contact = "no-such-contact")), "Sang Campuchia làm online, việc nhẹ lương cao.")).toBe(false);
    expect(() => scamCheck(withSteps((s) => void (s.hotline!.flags = ["no_such_flag"])), { text })).toThrow(/safe_steps\.hotline\.flags names "no_such_flag"/);
  });

  it("fails naming the file when the steps' sources are missing or cite a card that does not say it", () => {
    const none = { ...kb, redFlags: { ...kb.redFlags, safe_steps: undefined } };
    expect(() => scamCheck(none, { text: "bao đậu" })).toThrow(/red-flags\.yaml: safe_steps missing/);
    const wrongLocator = withSteps((s) => void (s.money = [{ card: "gen-scam-safe-steps", doc: "Luật 69/2020/QH14", locator: "Điều 99" }]));
    expect(() => scamCheck(wrongLocator, { text: "bao đậu" })).toThrow(/gen-scam-safe-steps.*Điều 99/);
  });
});

describe("scam check: one reply", () => {
  it("fits a message with every sign into the room its citations leave, the hedge last", () => {
    for (const text of [EVERYTHING, EVERYTHING.repeat(2).slice(0, 8000)]) {
      const r = scamCheck(kb, { text });
      expect(r.flags.length).toBeGreaterThan(10);
      expect(r.answer.text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, r.answer.citations)));
      expect(r.answer.text.length).toBeLessThan(MAX_REPLY_CHARS);
      expect(r.answer.hedged).toBe(true);
      expect(r.answer.text.split("\n").at(-1)).toMatch(/^Một số thông tin trên .* cho chắc\.$/);
      expect(r.answer.text.startsWith(fill(scamTexts(kb).verdict_line, { verdict: scamTexts(kb).verdicts.many_signs }))).toBe(true);
      // The first flags keep their names, in order.
      const shown = r.flags.map((f) => r.answer.text.includes(f.label));
      expect(shown[0]).toBe(true);
      expect(shown.slice(shown.indexOf(false) === -1 ? shown.length : shown.indexOf(false)).every((s) => !s)).toBe(true);
    }
  });

  it("leaves out the general 'ask first' step before a flag loses its explanation", () => {
    const r = scamCheck(kb, { text: "Rủ sang Trung Quốc làm thuê chặt mía, không cần hộ chiếu." });
    expect(r.flags.length).toBe(2);
    expect(r.answer.text.length).toBeLessThanOrEqual(textRoom(toCitations(kb, r.answer.citations)));
    for (const flag of r.flags) expect(r.answer.text).toContain(`${flag.label}: ${flag.explanation}`);
    // The structured result still lists every step; the chat answer shows one fewer.
    const shown = r.safeSteps.filter((s) => r.answer.text.includes(s.text));
    expect(shown.length).toBe(r.safeSteps.length - 1);
    expect(r.answer.text).toContain(r.safeSteps.at(-1)!.text);
  });

  it("shows why it is hedged: a passage cited twice keeps the lower confidence", () => {
    // "Điều 7 khoản 1" backs both the promise (V-P card) and the hotline (a V-S number).
    const r = scamCheck(kb, { text: "Bao đậu 100%, sang Campuchia làm online, việc nhẹ lương cao." });
    expect(r.answer.hedged).toBe(true);
    expect(needsHedge(r.answer.citations)).toBe(true);
    const repeated = r.answer.citations.filter((c) => c.locator === "Điều 7 khoản 1");
    expect(repeated).toHaveLength(1);
    expect(repeated[0]!.confidence).not.toBe("V-P");
  });
});

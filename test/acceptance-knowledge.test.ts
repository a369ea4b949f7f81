/**
 * Issue #3 acceptance through the engine (the same path as `npm run ask -- --json`):
 * each question accented and unaccented, with the right figure and citation.
 */
import { describe, expect, it } from "vitest";
import { fold } from "../src/text/normalize.ts";
import { ask } from "./helpers.ts";

interface Case {
  name: string;
  questions: string[];
  facts: RegExp[];
  docs: string[];
}

const CASES: Case[] = [
  {
    name: "service-fee cap for a 3-year contract",
    questions: ["Hợp đồng 3 năm thì tiền dịch vụ tối đa bao nhiêu?", "hop dong 3 nam thi tien dich vu toi da bao nhieu"],
    facts: [/3 thang luong/],
    docs: ["Luật 69/2020/QH14"],
  },
  {
    name: "Taiwan deposit cap",
    questions: ["Đi Đài Loan ký quỹ tối đa bao nhiêu?", "di dai loan ky quy bao nhieu"],
    facts: [/12 trieu/],
    docs: ["Nghị định 112/2021/NĐ-CP"],
  },
  {
    name: "EPS deposit",
    questions: ["Đi Hàn Quốc theo chương trình EPS phải ký quỹ bao nhiêu?", "ky quy eps di han bao nhieu"],
    facts: [/100 trieu/],
    docs: ["Quyết định 12/2020/QĐ-TTg"],
  },
  {
    name: "EPS deposit loan",
    questions: ["Vay tiền để ký quỹ đi Hàn EPS được bao nhiêu, có cần thế chấp không?", "vay ky quy eps duoc bao nhieu co can the chap ko"],
    facts: [/100 trieu/, /khong (can )?(phai )?(tai san )?(the chap|bao dam)/],
    docs: ["Nghị quyết 83/NQ-CP", "Quyết định 16/2023/QĐ-TTg"],
  },
  {
    name: "Decree 74/2019 status",
    questions: ["Nghị định 74/2019 còn hiệu lực không?", "nghi dinh 74 con hieu luc ko"],
    facts: [/338\/2025/, /01\/01\/2026/],
    docs: ["Nghị định 338/2025/NĐ-CP", "Nghị định 74/2019/NĐ-CP"],
  },
  {
    name: "district labour office in Long Biên",
    questions: ["Tôi có thể đến Phòng Lao động quận Long Biên không?", "co den phong lao dong quan long bien duoc ko"],
    facts: [/01\/07\/2025/, /phuong/],
    docs: ["Luật Tổ chức chính quyền địa phương 72/2025/QH15", "Nghị quyết 1656/NQ-UBTVQH15"],
  },
];

describe("issue #3 acceptance questions", () => {
  for (const c of CASES) {
    for (const q of c.questions) {
      it(`${c.name}: ${q}`, async () => {
        const reply = await ask(q);
        const answer = fold(reply.text);
        for (const f of c.facts) expect(answer, reply.text).toMatch(f);
        const cited = reply.citations.map((x) => x.doc);
        expect(cited.some((d) => c.docs.includes(d)), `cited: ${cited.join("; ")}`).toBe(true);
      });
    }
  }
});

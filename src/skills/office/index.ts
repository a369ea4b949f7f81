/**
 * Offices as a skill: a message that asks where to go and names a place ("ở Long Biên
 * vay vốn ở đâu") gets the offices of that place for the task it names (find.ts); without
 * a place, the office cards answer.
 */
import { placesIn } from "../../knowledge/places.ts";
import type { OfficeTask } from "../../knowledge/offices-schema.ts";
import { ruleText } from "../../text/normalize.ts";
import type { Skill } from "../skill.ts";
import { findOffice, findOfficeInputSchema, type FindOfficeInput, type FindOfficeResult } from "./find.ts";

/** What someone asking "where" wants done, read from the message; counselling otherwise. */
const OFFICE_TASK_RULES: Array<[OfficeTask, RegExp]> = [
  ["complaints", /\b(khieu nai|to cao|to giac|bi lua|kien|bao cong an|phan anh)\b/],
  ["loans", /\bvay\b/],
  ["eps", /\b(eps|han quoc)\b/],
  ["direct_contract_registration", /\b(tu ky|ky truc tiep)\b/],
  ["cv_certification", /\b(so yeu|ly lich|xac nhan)\b/],
  ["licence_check", /\b(giay phep|uy tin|cty nao|cong ty nao)\b/],
  ["returnee_support", /\b(ve nuoc|tro ve)\b/],
  ["register_interest", /\b(dang ky|muon di|can di)\b/],
];

export const officeSkill: Skill<FindOfficeInput, FindOfficeResult> = {
  name: "find_office",
  intent: "find_office",
  serves: ["register"],
  topics: ["offices", "complaints", "reorganisation"],
  dated: false,
  description:
    "Find which office handles a task for someone going to work abroad (registering interest, loans, the Korea EPS programme, checking a company's licence, complaints…) by province, commune or old place name (districts ended in 2025, provinces merged); returns offices in order with citations, or candidate places to ask about. Never returns phone numbers or addresses.",
  data: [],
  schema: () => findOfficeInputSchema,
  // A named place ("ở Cao Bằng", "quận Long Biên") gets the offices of that place.
  read(kb, text) {
    const place = placesIn(kb, text)[0];
    if (!place) return undefined;
    const f = ruleText(text);
    return { place, task: OFFICE_TASK_RULES.find(([, re]) => re.test(f))?.[0] ?? "counselling" };
  },
  run(kb, input) {
    const result = findOffice(kb, input);
    return { result, answer: result.answer, decided: result.status === "resolved" };
  },
};

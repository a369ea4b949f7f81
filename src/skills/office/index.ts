/**
 * Offices as a skill: a message that asks where to go and names a place ("ở Long Biên
 * vay vốn ở đâu") gets the offices of that place for the task it names (find.ts); without
 * a place, the office cards answer. Places are read by src/knowledge/places.ts, the task
 * by the words of knowledge/vocabulary/office.yaml (vocabulary.ts); the wording is
 * prompts/skills/office.yaml (texts.ts).
 */
import { placesIn, placeVocabulary } from "../../knowledge/places.ts";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { OfficeTask } from "../../knowledge/offices-schema.ts";
import { ruleText } from "../../text/normalize.ts";
import type { Skill } from "../skill.ts";
import { FIND_OFFICE_DESCRIPTION, findOffice, findOfficeInputSchema, type FindOfficeInput, type FindOfficeResult } from "./find.ts";
import { officeTexts } from "./texts.ts";
import { officeVocabulary } from "./vocabulary.ts";

export { officeTexts };

/** What someone asking "where" wants done, read from the message; the default task otherwise. */
export function officeTaskIn(kb: KnowledgeBase, text: string): OfficeTask {
  const vocab = officeVocabulary(kb);
  const f = ruleText(text);
  // A destination a state programme sends people to (Korea for EPS), as knowledge/markets.yaml names it.
  const destination = kb.markets.destination(text);
  const programmeDestination = destination !== undefined && kb.markets.programmeOf(destination.market) !== undefined;
  const rule = vocab.tasks.find((r) => r.pattern.test(f) || (r.programme_destination && programmeDestination));
  return rule?.task ?? vocab.default_task;
}

export const officeSkill: Skill<FindOfficeInput, FindOfficeResult> = {
  name: "find_office",
  intent: "find_office",
  serves: ["register"],
  topics: ["offices", "complaints", "reorganisation"],
  dated: false,
  description: FIND_OFFICE_DESCRIPTION,
  data: [officeTexts, officeVocabulary, placeVocabulary],
  schema: () => findOfficeInputSchema,
  // A named place ("ở Cao Bằng", "quận Long Biên") gets the offices of that place.
  read(kb, text) {
    const place = placesIn(kb, text)[0];
    if (!place) return undefined;
    return { place, task: officeTaskIn(kb, text) };
  },
  run(kb, input) {
    const result = findOffice(kb, input);
    return { result, answer: result.answer, decided: result.status === "resolved" };
  },
};

/**
 * Priority groups of borrowers and applicants (poor and near-poor households, ethnic
 * minorities, families whose farmland was taken back, relatives of people with merit,
 * demobilised soldiers) and the one reader of them as people type them. The words are
 * `knowledge/vocabulary/priority-groups.yaml`; the loan skill and the registration form
 * both read groups through `parsePriorityGroup`.
 *
 * @example
 * parsePriorityGroup(kb, "hộ cận nghèo");         // "near_poor"
 * parsePriorityGroup(kb, "không thuộc hộ nghèo"); // "none"
 * parsePriorityGroup(kb, "abc");                  // undefined
 */
import { z } from "zod";
import { ruleText } from "../text/normalize.ts";
import { defineVocabulary, foldedPattern, type HasDataFiles } from "./texts.ts";

export const PRIORITY_GROUPS = [
  "poor", "near_poor", "ethnic_minority", "land_revoked", "relative_of_merit", "demobilised_soldier", "other", "none",
] as const;
export type PriorityGroup = (typeof PRIORITY_GROUPS)[number];

export const priorityGroupVocabulary = defineVocabulary(
  "priority-groups",
  z.object({
    groups: z.array(z.object({ group: z.enum(PRIORITY_GROUPS), pattern: foldedPattern })).min(1),
  }),
);

const isGroupId = (s: string): s is PriorityGroup => (PRIORITY_GROUPS as readonly string[]).includes(s);

/** Reads a priority group typed in words ("hộ cận nghèo", "dan toc thieu so", "con thương binh") or as its id. */
export function parsePriorityGroup(kb: HasDataFiles, text: string | undefined | null): PriorityGroup | undefined {
  if (!text) return undefined;
  // Folded, punctuation out; "_" kept so a group's id ("near_poor") reads as itself.
  const f = ruleText(text, "_");
  if (isGroupId(f)) return f;
  return priorityGroupVocabulary(kb).groups.find((g) => g.pattern.test(f))?.group;
}

/**
 * Every wording and vocabulary file the assistant reads, in one list, so that
 * `npm run knowledge:check` (and a deployer's CI) fails on a missing file or key before
 * any conversation needs it. A part that adds a `defineTexts` / `defineVocabulary` spec
 * adds it here (a skill's specs come from its `data` list).
 *
 * @example
 * const problems = checkDataFiles(kb, "prompts");
 * // ["prompts/skills/fee.yaml: field \"verdicts.banned\": … — add it"]
 */
import type { z } from "zod";
import type { KnowledgeBase } from "./knowledge/load.ts";
import { citationTexts } from "./knowledge/cite.ts";
import type { DataSpec } from "./knowledge/texts.ts";
import { SKILLS } from "./skills/index.ts";
import { understandingVocabulary } from "./understanding/vocabulary.ts";
import { caseTexts } from "./registration/texts.ts";
import { registrationVocabulary } from "./registration/vocabulary.ts";
import { loadRegistrationPrompts } from "./registration/form.ts";
import { loadLlmPrompts } from "./llm/assistant.ts";
import { routingVocabulary } from "./engine/intent.ts";
import { repliesTexts } from "./engine/replies.ts";
import { channelTexts } from "./channels/texts.ts";
import { officerTexts } from "./channels/telegram/officer-texts.ts";

/** The specs read through the knowledge base (prompts/ and knowledge/vocabulary/). */
export const DATA_SPECS: readonly DataSpec<z.ZodType>[] = [
  ...SKILLS.flatMap((s) => s.data),
  citationTexts,
  understandingVocabulary,
  caseTexts,
  registrationVocabulary,
  routingVocabulary,
  repliesTexts,
  channelTexts,
  officerTexts,
];

/** Validates every data file; returns one message per problem (empty when all is well). */
export function checkDataFiles(kb: KnowledgeBase, promptsDir: string): string[] {
  const problems: string[] = [];
  const attempt = (what: string, read: () => unknown) => {
    try {
      read();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : `${what}: ${String(err)}`);
    }
  };
  for (const spec of DATA_SPECS) attempt(spec.file, () => spec(kb));
  attempt("registration.yaml", () => loadRegistrationPrompts(promptsDir));
  attempt("llm.yaml", () => loadLlmPrompts(promptsDir));
  return problems;
}

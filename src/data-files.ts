/**
 * Every wording and vocabulary file the assistant reads, in one list, so that
 * `npm run knowledge:check` (and a deployer's CI) fails on a missing file or key before
 * any conversation needs it. A part that adds a `defineTexts` / `defineVocabulary` spec
 * adds it to ENGINE_DATA_SPECS (src/engine/engine.ts) or, for a channel, here; a skill's
 * specs come from its `data` list.
 *
 * @example
 * const problems = checkDataFiles(kb, "prompts");
 * // ["prompts/skills/fee.yaml: field \"verdicts.banned\": … — add it"]
 */
import type { z } from "zod";
import type { KnowledgeBase } from "./knowledge/load.ts";
import type { DataSpec } from "./knowledge/texts.ts";
import { loadRegistrationPrompts } from "./registration/form.ts";
import { loadLlmPrompts } from "./llm/assistant.ts";
import { ENGINE_DATA_SPECS } from "./engine/engine.ts";
import { channelTexts } from "./channels/texts.ts";
import { officerTexts } from "./channels/telegram/officer-texts.ts";

/** The specs read through the knowledge base (prompts/ and knowledge/vocabulary/): the engine's and the channels'. */
export const DATA_SPECS: readonly DataSpec<z.ZodType>[] = [...ENGINE_DATA_SPECS, channelTexts, officerTexts];

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

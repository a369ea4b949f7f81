/**
 * The words the deposit guidance reads in a message, as a typed, validated view of
 * `knowledge/vocabulary/deposit.yaml`: regular expressions over folded text (no
 * diacritics, lower case, no punctuation), compiled once per knowledge base.
 *
 * @example
 * depositVocabulary(kb).crew.pattern.test("thuyen vien tau ca xa bo"); // true
 * depositVocabulary(kb).crew.not.test("tau ca gan bo");                // true
 */
import { z } from "zod";
import { defineVocabulary, foldedPattern } from "../../knowledge/texts.ts";

export const depositVocabulary = defineVocabulary(
  "deposit",
  z.object({
    crew: z.object({
      /** The applies_to.job value of the deposit table's crew rows. */
      job: z.string().regex(/^[a-z][a-z0-9_]*$/, "a job id of the facts, e.g. farfishing_or_transport_crew"),
      pattern: foldedPattern,
      not: foldedPattern,
    }),
  }),
);

export type DepositVocabulary = ReturnType<typeof depositVocabulary>;

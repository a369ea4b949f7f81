/**
 * The words the office skill reads in a "where do I go" message, as a typed, validated
 * view of `knowledge/vocabulary/office.yaml`: which task the message names, as regular
 * expressions over folded text (no diacritics, lower case, no punctuation). Places are
 * read by src/knowledge/places.ts, destinations by kb.markets.
 *
 * @example
 * officeVocabulary(kb).tasks.find((t) => t.pattern.test("o long bien vay von o dau"))?.task; // "loans"
 */
import { z } from "zod";
import { officeTaskSchema } from "../../knowledge/offices-schema.ts";
import { defineVocabulary, foldedPattern } from "../../knowledge/texts.ts";

export const officeVocabulary = defineVocabulary(
  "office",
  z.object({
    tasks: z
      .array(z.object({ task: officeTaskSchema, pattern: foldedPattern, programme_destination: z.boolean().default(false) }))
      .min(1),
    default_task: officeTaskSchema,
  }),
);

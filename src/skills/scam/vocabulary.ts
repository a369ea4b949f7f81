/**
 * The words the scam check reads in a message besides its red flags, as a typed,
 * validated view of `knowledge/vocabulary/scam.yaml`. Its patterns are phrase patterns
 * (phrase.ts): words in proper Vietnamese, diacritic-aware, compiled once per knowledge base.
 *
 * @example
 * // "không" before "thu tiền môi giới" makes it a denial, not a demand:
 * findMatch(encodeText("không thu tiền môi giới"), phrase("tiền môi giới"), scamVocabulary(kb).negation); // undefined
 */
import { z } from "zod";
import { defineVocabulary } from "../../knowledge/texts.ts";
import { phrase } from "./phrase.ts";

/** A phrase pattern (phrase.ts); an invalid one fails validation with the file and the field. */
const phrasePattern = z.string().min(1).transform((source, ctx) => {
  try {
    return phrase(source);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `not a valid pattern: ${(err as Error).message}` });
    return z.NEVER;
  }
});

export const scamVocabulary = defineVocabulary(
  "scam",
  z.object({
    negation: phrasePattern,
  }),
);

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
import { compiledPattern, defineVocabulary } from "../../knowledge/texts.ts";
import { phrase } from "./phrase.ts";

/** A phrase pattern (phrase.ts); an invalid one fails validation with the file and the field. */
const phrasePattern = compiledPattern(phrase);

export const scamVocabulary = defineVocabulary(
  "scam",
  z.object({
    negation: phrasePattern,
  }),
);

/**
 * The words the loan guidance reads, as a typed, validated view of
 * `knowledge/vocabulary/loan.yaml`: regular expressions over folded text (no diacritics,
 * lower case, no punctuation), compiled once per knowledge base. Priority groups typed in
 * a message are read by src/knowledge/priority-groups.ts (shared with registration).
 *
 * @example
 * loanVocabulary(kb).inclusive_threshold.test("khoan vay tu muc nay tro len thi phai co tai san bao dam"); // true
 */
import { z } from "zod";
import { defineVocabulary, foldedPattern } from "../../knowledge/texts.ts";

export const loanVocabulary = defineVocabulary(
  "loan",
  z.object({
    inclusive_threshold: foldedPattern,
  }),
);

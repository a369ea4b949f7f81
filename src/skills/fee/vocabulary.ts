/**
 * The words the fee check reads in a message, as a typed, validated view of
 * `knowledge/vocabulary/fee.yaml`: regular expressions over folded text (no diacritics,
 * lower case, no punctuation), compiled once per knowledge base.
 *
 * @example
 * feeVocabulary(kb).charges.find((c) => c.pattern.test("tien moi gioi"))?.kind; // "brokerage"
 * feeVocabulary(kb).dont_know.test("khong biet");                               // true
 */
import { z } from "zod";
import { defineVocabulary, foldedPattern } from "../../knowledge/texts.ts";
import { nfcLower } from "../../text/normalize.ts";
import { CHARGE_KINDS } from "./charges.ts";

export const feeVocabulary = defineVocabulary(
  "fee",
  z.object({
    charges: z.array(z.object({ kind: z.enum(CHARGE_KINDS), pattern: foldedPattern })).min(1),
    demand_verbs: foldedPattern,
    before_contract: foldedPattern,
    to_a_person: foldedPattern,
    salary_word: foldedPattern,
    dont_know: foldedPattern,
    other_market: foldedPattern,
    question_words: foldedPattern,
    clause_words: z.array(z.string().min(1).transform(nfcLower)).min(1),
    contract_length: foldedPattern,
    number_words: z.record(z.string(), z.number().positive()),
    length_units: z.record(z.string(), z.number().positive()),
  }),
);

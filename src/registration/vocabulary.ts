/**
 * The words the registration form reads besides its own buttons, as a typed, validated view
 * of `knowledge/vocabulary/registration.yaml`: how people cancel, go back, say they do not
 * know yet, and separate several markets in one line.
 *
 * @example
 * registrationVocabulary(kb).cancel_keys.has("huy dang ky"); // true
 * "nhật, đài loan".split(registrationVocabulary(kb).list_separator); // ["nhật", " đài loan"]
 */
import { z } from "zod";
import { compiledPattern, defineVocabulary, foldedPattern } from "../knowledge/texts.ts";
import { placeKey } from "../knowledge/places.ts";

/** A set of words compared after the form's own folding (no diacritics, lower case). */
const foldedWords = z.array(z.string().min(1)).min(1).transform((words) => new Set(words.map(placeKey)));
/** A set of words compared as typed, lower case only ("hủy" and "huỷ" both kept). */
const typedWords = z.array(z.string().min(1)).min(1).transform((words) => new Set(words.map((w) => w.toLowerCase())));

export const registrationVocabulary = defineVocabulary(
  "registration",
  z.object({
    cancel_words: typedWords,
    cancel_keys: foldedWords,
    cancel_keys_outside_text: foldedWords,
    back_keys: foldedWords,
    dont_know: foldedPattern,
    list_separator: compiledPattern((source) => new RegExp(source, "iu")),
  }),
);

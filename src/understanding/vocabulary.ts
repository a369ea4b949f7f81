/**
 * The words that tell what a message asks and what the person's situation is, as a typed,
 * validated view of `knowledge/vocabulary/understanding.yaml` (patterns over folded text).
 *
 * @example
 * understandingVocabulary(kb).small_talk.thanks.some((re) => re.test("cam on ban nhieu")); // true
 */
import { z } from "zod";
import { defineVocabulary, foldedPattern } from "../knowledge/texts.ts";

const patterns = z.array(foldedPattern).min(1);

export const SMALL_TALK_KINDS = ["thanks", "ok", "anyone", "bye", "laugh", "who", "stop", "again"] as const;
export type SmallTalk = (typeof SMALL_TALK_KINDS)[number];

export const understandingVocabulary = defineVocabulary(
  "understanding",
  z.object({
    ask_markers: patterns,
    ask_openers: patterns,
    yes_no: patterns,
    fillers: patterns,
    answer_openers: patterns,
    office_words: patterns,
    stages: z.record(z.string(), patterns),
    events: z.record(z.string(), z.object({ patterns, search: z.string().min(1), charge: z.boolean().default(false) })),
    vague_asks: patterns,
    askers: z.record(z.string(), patterns),
    small_talk: z.object(Object.fromEntries(SMALL_TALK_KINDS.map((k) => [k, patterns])) as Record<SmallTalk, typeof patterns>),
  }),
);

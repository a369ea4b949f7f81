/**
 * What the scam check says, as a typed, validated view of `prompts/skills/scam.yaml`. No
 * sentence is written in the code of this folder: the flags' names and explanations come
 * from knowledge/red-flags.yaml, office names and the hotline number from knowledge/.
 *
 * @example
 * fill(scamTexts(kb).verdict_line, { verdict: scamTexts(kb).verdicts.caution });
 * // "Kết luận: có dấu hiệu cần cẩn thận."
 */
import { z } from "zod";
import { defineTexts, template, templates } from "../../knowledge/texts.ts";

const SCAM_VERDICTS = ["many_signs", "caution", "no_clear_sign"] as const;
export type ScamVerdict = (typeof SCAM_VERDICTS)[number];

const SAFE_STEPS = ["licence", "money", "ask", "police", "hotline"] as const;

export const scamTexts = defineTexts(
  "skills/scam",
  z.object({
    verdicts: templates(...SCAM_VERDICTS),
    verdict_line: template,
    no_flag_note: template,
    flags_heading: template,
    flag_line: template,
    flag_name: template,
    steps_heading: template,
    step_line: template,
    hedge: template,
    default_office: template,
    steps: templates(...SAFE_STEPS),
    invalid: templates("empty", "too_long"),
  }),
);

export type ScamTexts = ReturnType<typeof scamTexts>;

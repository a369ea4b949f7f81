/**
 * The officers' wording, `prompts/officers.yaml`: case cards, workers' questions, the
 * answers of status buttons and of /cases /case /export /stats, and what the worker is
 * told. Used by officers.ts (the group's commands) and case-card.ts (cards and questions).
 *
 * @example
 * fill(officerTexts(kb).cases.none, {}); // "Không có hồ sơ nào."
 */
import { z } from "zod";
import { defineTexts, template } from "../../knowledge/texts.ts";

const label = template;

export const officerTextsSchema = z.object({
  card: z.object({
    title: template,
    registered: template,
    maybe_repeat: template,
    updated_by: template,
    fields: z.object({
      full_name: label, phone: label, birth_year: label, place: label, markets: label, trade: label,
      language: label, priority_group: label, contact_time: label, note: label, status: label,
    }),
  }),
  question: z.object({ title: template, from: template, hint: template }),
  status_press: z.object({ other_office: template, deleted: template }),
  worker: z.object({ status_changed: template, officer_answer: template }),
  cases: z.object({ unknown_status: template, none: template, more: template }),
  case: z.object({ usage: template, not_here: template }),
  export: z.object({ usage: template, caption: template, file_name: template.regex(/\.csv$/, "must end in .csv"), all_time: template }),
  stats: z.object({
    usage: template, totals: template, by_market: template, by_province: template, by_commune: template, by_priority_group: template,
  }),
  answer: z.object({ question_gone: template, sent: template, saved: template }),
});
export type OfficerTexts = z.infer<typeof officerTextsSchema>;

export const officerTexts = defineTexts("officers", officerTextsSchema);

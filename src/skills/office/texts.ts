/**
 * What the office finder says, as a typed, validated view of `prompts/skills/office.yaml`.
 * No sentence is written in the code of this folder: place and office names come from
 * knowledge/offices/ and fill the templates' {placeholders}.
 *
 * @example
 * fill(officeTexts(kb).offices_for, { task: officeTexts(kb).tasks.loans });
 * // "Việc vay vốn đi làm việc ở nước ngoài, hỏi tại:"
 */
import { z } from "zod";
import { OFFICE_TASKS, type OfficeTask } from "../../knowledge/offices-schema.ts";
import { defineTexts, template, templates } from "../../knowledge/texts.ts";

/** How one office type is placed: the first of these that applies (only `anywhere` is required). */
const whereSchema = z.object({
  commune: template.optional(),
  examples: template.optional(),
  province: template.optional(),
  anywhere: template,
});

export const officeTexts = defineTexts(
  "skills/office",
  z.object({
    tasks: templates<OfficeTask>(...OFFICE_TASKS),
    questions: templates("task", "bad_place", "which_place", "where", "where_now", "not_found"),
    typed: templates("quoted", "nothing"),
    unknown_district: templates("no_data", "level_ended"),
    usually: template,
    old_name: templates("province", "province_undated", "other", "other_undated", "district_level_ended"),
    place_now: template,
    unknown_commune: template,
    offices_for: template,
    office_item: template,
    no_contacts: template,
    complaint_police: template,
    tell_place: template,
    candidates: templates("commune_in", "old_name", "old_name_in"),
    where: z.record(z.string(), whereSchema),
    hedge: template,
    confirm_with: template,
  }),
);

export type OfficeTexts = ReturnType<typeof officeTexts>;

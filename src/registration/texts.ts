/**
 * How a case is named wherever it is shown — officers' cards, lists and export, and what
 * the worker is told — in `prompts/cases.yaml`.
 *
 * @example
 * caseTexts(kb).status.counselled;            // "Đã tư vấn"
 * caseTexts(kb).status_for_worker.counselled; // "cán bộ đã tư vấn cho bạn"
 */
import { z } from "zod";
import { defineTexts, template } from "../knowledge/texts.ts";
import { CASE_STATUSES, PRIORITY_GROUPS } from "./types.ts";

const byStatus = z.object(Object.fromEntries(CASE_STATUSES.map((s) => [s, template])) as Record<(typeof CASE_STATUSES)[number], typeof template>);
const byGroup = z.object(Object.fromEntries(PRIORITY_GROUPS.map((g) => [g, template])) as Record<(typeof PRIORITY_GROUPS)[number], typeof template>);

/** The export's columns, in order. */
export const CSV_COLUMNS = [
  "id", "full_name", "phone", "birth_year", "province", "commune", "markets", "trade", "language", "priority_group",
  "contact_time", "note", "status", "created_at",
] as const;

export const caseTexts = defineTexts(
  "cases",
  z.object({
    status: byStatus,
    status_for_worker: byStatus,
    priority: byGroup,
    answered_question: template,
    csv_headers: z.object(Object.fromEntries(CSV_COLUMNS.map((c) => [c, template])) as Record<(typeof CSV_COLUMNS)[number], typeof template>),
  }),
);
export type CaseTexts = ReturnType<typeof caseTexts>;

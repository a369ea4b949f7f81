/**
 * The office directory (`knowledge/offices/*.yaml`): provinces after the 2025 merger,
 * the communes we know, old names people still use, and what each kind of office handles.
 * Contact fields stay null unless verified; deployers fill them.
 */
import { z } from "zod";
import { confidenceSchema, sourceRefSchema } from "./schema.ts";

export const OFFICE_TASKS = [
  "register_interest", "counselling", "direct_contract_registration", "cv_certification", "loans",
  "eps", "licence_check", "complaints", "returnee_support", "protection_abroad",
] as const;
export const officeTaskSchema = z.enum(OFFICE_TASKS);
export type OfficeTask = z.infer<typeof officeTaskSchema>;

const nullableText = z.string().min(1).nullable().default(null);

export const provinceSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(2),
  kind: z.enum(["city", "province"]),
  merged_from: z.array(z.string()).default([]),
  aliases: z.array(z.string()).default([]),
  /** What an answer naming the unit cites (the resolution that set up the 34 units). */
  source: sourceRefSchema.optional(),
  confidence: confidenceSchema,
  commune_resolution: z.string().optional(),
});
export type Province = z.infer<typeof provinceSchema>;

export const communeSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(2),
  province: z.string(),
  aliases: z.array(z.string()).default([]),
  source: sourceRefSchema.optional(),
  confidence: confidenceSchema,
});
export type Commune = z.infer<typeof communeSchema>;

export const officeTypeSchema = z.object({
  id: z.string(),
  name: z.string().min(2),
  handles: z.array(officeTaskSchema).min(1),
  source: sourceRefSchema,
  confidence: confidenceSchema,
  note: z.string().optional(),
  contact: z
    .object({ phone: nullableText, address: nullableText, website: nullableText })
    .default({ phone: null, address: null, website: null }),
});
export type OfficeType = z.infer<typeof officeTypeSchema>;

export const oldNameSchema = z.object({
  id: z.string(),
  old_name: z.string().min(2),
  aliases: z.array(z.string()).default([]),
  level: z.enum(["district", "province", "department", "ministry", "commune"]),
  ended: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  replaced_by: z.object({
    province: z.string().nullable().optional(),
    communes: z.array(z.string()).default([]),
    office_types: z.array(z.string()).default([]),
  }),
  source: sourceRefSchema,
  confidence: confidenceSchema,
  note: z.string().optional(),
});
export type OldName = z.infer<typeof oldNameSchema>;

export const officeDirectorySchema = z.object({
  provinces: z.array(provinceSchema).default([]),
  communes: z.array(communeSchema).default([]),
  officeTypes: z.array(officeTypeSchema).default([]),
  oldNames: z.array(oldNameSchema).default([]),
});
export type OfficeDirectory = z.infer<typeof officeDirectorySchema>;

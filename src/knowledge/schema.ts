/**
 * The shapes of everything in `knowledge/`, as zod schemas. Knowledge is data: a file
 * that does not match fails at load time with its path and the field at fault.
 * See docs/knowledge-format.md for the authoring guide.
 */
import { z } from "zod";

export const STATUSES = ["in_force", "superseded", "history"] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

export const CONFIDENCES = ["V-P", "V-S", "M"] as const;
export const confidenceSchema = z.enum(CONFIDENCES);
export type Confidence = z.infer<typeof confidenceSchema>;

export const TOPICS = [
  "routes", "eligibility", "rights_duties", "prohibited", "service_fee", "brokerage", "deposit",
  "licensed_company", "contract", "orientation", "support_fund", "penalties", "loans", "eps_korea",
  "market_japan", "market_korea", "market_taiwan", "market_germany", "market_china_border",
  "market_middle_east", "market_europe", "market_australia", "market_malaysia", "policy",
  "reorganisation", "scam", "returnees", "complaints", "social_insurance", "offices",
  "client_documents",
] as const;
export const topicSchema = z.enum(TOPICS);
export type Topic = z.infer<typeof topicSchema>;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD, e.g. 2026-01-01");
const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use lower-case kebab-case, e.g. service-fee-cap");

/** A citation target: a canonical document name and a locator inside it. */
export const sourceRefSchema = z.object({
  doc: z.string().min(3),
  locator: z.string().min(1),
});
export type SourceRef = z.infer<typeof sourceRefSchema>;

/** A citation as a reply shows it: the document, its title and status today, and where in it. */
export interface Citation {
  /** The document's number or short name ("Luật 69/2020/QH14", "Kế hoạch Tỉnh ủy Lạng Sơn"). */
  doc: string;
  title: string;
  /** Where in the document ("Điều 23 khoản 4", "Mục II, điểm 2"). */
  locator: string;
  status: Status;
}

export const sourceFrontMatterSchema = z
  .object({
    id: kebabId,
    title: z.string().min(5),
    short: z.string().min(3),
    kind: z.enum([
      "plan", "report", "letter", "programme", "law", "decree", "circular", "decision",
      "resolution", "directive",
    ]),
    number: z.string().optional(),
    issuer: z.string().min(3),
    date: isoDate.optional(),
    year: z.number().int().min(1990).max(2100).optional(),
    locality: z.string().min(2),
    status: statusSchema,
    status_note: z.string().optional(),
    original_file: z.string().min(1),
  })
  .refine((s) => s.date !== undefined || s.year !== undefined, {
    message: "give either date (YYYY-MM-DD) or year",
    path: ["date"],
  });
export type SourceFrontMatter = z.infer<typeof sourceFrontMatterSchema>;

export const cardFrontMatterSchema = z
  .object({
    id: kebabId,
    title: z.string().min(5),
    topics: z.array(topicSchema).min(1),
    audiences: z.array(z.enum(["worker", "family", "officer"])).min(1),
    sources: z.array(sourceRefSchema).min(1, "every card cites at least one source"),
    status: statusSchema,
    valid_from: isoDate,
    valid_to: isoDate.optional(),
    superseded_by: kebabId.optional(),
    confidence: confidenceSchema,
    confirm_with: z.string().min(3).optional(),
    facts: z.array(z.string()).default([]),
    questions: z.array(z.string().min(3)).min(4, "give 4–8 questions").max(8, "give 4–8 questions"),
  })
  .refine((c) => c.status !== "superseded" || c.superseded_by !== undefined, {
    message: "a superseded card must name its successor",
    path: ["superseded_by"],
  })
  .refine((c) => c.confidence === "V-P" || c.confirm_with !== undefined, {
    message: "a V-S or M card must say who can confirm it",
    path: ["confirm_with"],
  });
export type CardFrontMatter = z.infer<typeof cardFrontMatterSchema>;

export const FACT_UNITS = [
  "VND", "USD", "TWD", "JPY", "AUD", "MOP", "months_salary", "months_salary_per_12", "percent",
  "days", "working_days", "hours", "months", "years", "count", "economy_air_tickets",
  /** A rule without a figure ("the deposit goes into a blocked account in the worker's name"): no value. */
  "rule",
] as const;

export const factSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9]+(?:\.[A-Za-z0-9_]+)*$/, "use dotted camelCase ids"),
  label: z.string().min(3),
  /** The figure, in `unit`; a `rule` has none. */
  value: z.number().optional(),
  unit: z.enum(FACT_UNITS),
  source: sourceRefSchema,
  status: statusSchema,
  valid_from: isoDate,
  valid_to: isoDate.optional(),
  superseded_by: z.string().optional(),
  confidence: confidenceSchema,
  applies_to: z.record(z.string(), z.string()).optional(),
  note: z.string().optional(),
})
  .refine((f) => (f.unit === "rule") === (f.value === undefined), {
    message: "give a value for a figure; a rule (unit: rule) has none",
    path: ["value"],
  })
  // Code reads `value` as a number: a rule's is 0 and never shown.
  .transform((f) => ({ ...f, value: f.value ?? 0 }));
export type Fact = z.output<typeof factSchema>;
export const factFileSchema = z.array(factSchema);

export const contactSchema = z.object({
  id: z.string(),
  label: z.string(),
  value: z.string(),
  kind: z.enum(["phone", "web"]),
  confidence: confidenceSchema,
  source: z.string(),
});
export type Contact = z.infer<typeof contactSchema>;
export const contactFileSchema = z.array(contactSchema);

/** One legal instrument in `knowledge/documents.yaml`: citations take its status from here. */
export const documentEntrySchema = z.object({
  doc: z.string().min(3),
  title: z.string().min(5),
  status: statusSchema,
  valid_from: isoDate.optional(),
  valid_to: isoDate.optional(),
  superseded_by: z.string().optional(),
  note: z.string().optional(),
  /** How sure the status and dates are (legal-facts' grade); unverified ones are hedged. */
  confidence: confidenceSchema.default("V-S"),
});
export type DocumentEntry = z.infer<typeof documentEntrySchema>;
export const documentFileSchema = z.array(documentEntrySchema);

/** A red flag of illegal recruitment (knowledge/red-flags.yaml), read by the scam check. */
export const redFlagCiteSchema = z.union([
  z.object({ card: z.string().min(1), doc: z.string().min(3), locator: z.string().min(1) }),
  z.object({ fact: z.string().min(1) }),
]);
export const redFlagSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/, "use snake_case ids, e.g. personal_account"),
  severity: z.enum(["strong", "caution"]),
  label: z.string().min(3),
  explanation: z.string().min(10),
  when: z.array(z.array(z.string().min(1)).min(1)).min(1),
  unless: z.array(z.string().min(1)).optional(),
  negatable: z.boolean(),
  cites: z.array(redFlagCiteSchema).min(1, "a red flag must cite a card source or a fact"),
});
export type RedFlag = z.infer<typeof redFlagSchema>;
/** What the scam check's safe steps rest on (red-flags.yaml, safe_steps); their sentences are in prompts/. */
export const redFlagStepsSchema = z.object({
  licence: z.array(redFlagCiteSchema).min(1),
  money: z.array(redFlagCiteSchema).min(1),
  police: z.array(redFlagCiteSchema).min(1).optional(),
  hotline: z
    .object({
      contact: z.string().min(1),
      flags: z.array(z.string().min(1)).min(1),
      cites: z.array(redFlagCiteSchema).min(1),
    })
    .optional(),
});
export type RedFlagSteps = z.infer<typeof redFlagStepsSchema>;
export const redFlagFileSchema = z.object({
  macros: z.record(z.string().regex(/^[A-Z]+$/), z.string()),
  flags: z.array(redFlagSchema),
  safe_steps: redFlagStepsSchema.optional(),
});
export type RedFlagFile = z.infer<typeof redFlagFileSchema>;

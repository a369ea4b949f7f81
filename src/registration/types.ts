/**
 * The interest registration: what a worker gives (after consent), what the office does
 * with it, and where it goes. Shared by the form (form.ts), the storage and hand-off
 * outbox (store.ts, outbox.ts) and the officers' side.
 */
import { z } from "zod";

/** Vietnam time is UTC+7 all year (no daylight saving): offices count by its calendar. */
export const VN_OFFSET_MS = 7 * 3600_000;

/** Case id shown to people: "DK-" + 5 characters without look-alikes (no 0/O, 1/I/L). */
export const CASE_ID_PATTERN = "DK-[2-9A-HJKMNP-Z]{5}";
export const CASE_ID_RE = new RegExp(`^${CASE_ID_PATTERN}$`);

export const CASE_STATUSES = ["new", "received", "contacted", "unreachable", "counselled", "signed_up", "closed"] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const PRIORITY_GROUPS = ["poor", "near_poor", "ethnic_minority", "demobilised_soldier", "relative_of_merit", "none"] as const;

export const registrationSchema = z.object({
  id: z.string().regex(CASE_ID_RE),
  /** "<channel>:<userId>": one active registration per person. */
  userKey: z.string().min(3),
  consentAt: z.string(),
  fullName: z.string().min(2).max(100),
  /** Normalised "+84…" mobile number. */
  phone: z.string().regex(/^\+84\d{9}$/),
  birthYear: z.number().int(),
  provinceId: z.string(),
  communeId: z.string().optional(),
  /** What the person typed for the place, when it was an old name ("quận Long Biên"). */
  placeTyped: z.string().optional(),
  markets: z.array(z.string()).min(1),
  trade: z.string().max(200).optional(),
  languageLevel: z.string().max(100).optional(),
  priorityGroup: z.enum(PRIORITY_GROUPS),
  contactTime: z.string().max(100).optional(),
  note: z.string().max(500).optional(),
  status: z.enum(CASE_STATUSES),
  /** The office destination key it was routed to ("commune:<id>", "province:<id>", "unrouted"). */
  routedTo: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Registration = z.infer<typeof registrationSchema>;

/** A registration as the form produces it: everything except what the store sets. */
export const registrationDraftSchema = registrationSchema.omit({
  id: true, userKey: true, status: true, routedTo: true, createdAt: true, updatedAt: true,
});
export type RegistrationDraft = z.infer<typeof registrationDraftSchema>;

export interface StatusChange {
  caseId: string;
  from: CaseStatus;
  to: CaseStatus;
  /** Who made the change: an officer's Telegram user id, or "system". */
  by: string;
  at: string;
}

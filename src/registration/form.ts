/**
 * Registration of interest as a conversation: consent first, then one question at a time,
 * a summary to confirm, and a validated draft for the store to save.
 *
 * A pure, synchronous state machine. The state is plain JSON with a version number: the
 * engine keeps it in the session store between messages, so a form in progress survives a
 * restart. Every answer is checked with zod; a bad one is asked again with a short reason.
 * "Quay lại" goes back one question, "Hủy" drops everything, "Sửa …" on the summary edits
 * one field and comes back to the summary. Places are checked with `findOffice` against
 * `knowledge/offices/` (old district and province names are accepted and explained).
 * Wording comes from `prompts/registration.yaml`. Nothing here logs: the answers are
 * personal data.
 *
 * @example
 * const prompts = loadRegistrationPrompts("prompts");
 * let { state, reply } = startRegistration(new Date(), prompts);   // the consent text
 * ({ state, reply } = stepRegistration(kb, state, "Đồng ý", new Date(), prompts));
 * reply.text;   // "Họ và tên của bạn là gì? …"
 * // … after the summary, "Xác nhận" returns { done: RegistrationDraft }.
 */
import { join } from "node:path";
import { z } from "zod";
import { fill, formatDate, lowerFirst, upperFirst, vnYear } from "../text/wording.ts";
import { loadPromptFile } from "../knowledge/texts.ts";
import type { KnowledgeBase } from "../knowledge/load.ts";
import type { OldName } from "../knowledge/offices-schema.ts";
import { cleanUserText } from "../text/normalize.ts";
import { oldNameLabel, placeKey as key, provinceLabel } from "../knowledge/places.ts";
import { findOffice, type PlaceCandidate } from "../skills/office/find.ts";
import { parsePriorityGroup } from "../knowledge/priority-groups.ts";
import { formatVnMobile, vnMobileSchema } from "./phone.ts";
import { registrationVocabulary } from "./vocabulary.ts";
import { PRIORITY_GROUPS, registrationDraftSchema, registrationSchema, type RegistrationDraft } from "./types.ts";

// ---------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------

/** The questions after consent, in the order they are asked. */
export const FORM_FIELDS = [
  "fullName", "phone", "birthYear", "province", "commune", "markets", "trade", "languageLevel", "priorityGroup", "contactTime", "note",
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

export const REGISTRATION_STEPS = ["consent", ...FORM_FIELDS, "summary", "ended"] as const;
export type RegistrationStep = (typeof REGISTRATION_STEPS)[number];

/** What `markets` holds: market ids of knowledge/markets.yaml, or UNDECIDED ("Chưa biết"). */
export type RegistrationMarket = string;
export const UNDECIDED = "undecided";

/** Age limits on the year of birth (counted by year, as of `now` in Vietnam). */
export const MIN_AGE = 18;
export const MAX_AGE = 65;

const MAX_TRADE = 200;
const MAX_SHORT_TEXT = 100;
const MAX_NOTE = 500;
const MAX_COMMUNE = 60;
/** At most this many places offered as buttons when a name is ambiguous. */
const MAX_CANDIDATES = 8;

export const REASONS = [
  "empty", "stale_button", "consent_choose",
  "name_too_short", "name_too_long", "name_digits", "name_chars", "name_one_word",
  "phone_empty", "phone_not_a_number", "phone_several_numbers", "phone_foreign", "phone_landline", "phone_service",
  "phone_old_prefix", "phone_too_short", "phone_too_long", "phone_not_mobile",
  "year_format", "year_future", "year_under_18", "year_too_old",
  "place_too_long", "place_unknown", "place_need_province", "commune_is_province", "commune_bad",
  "markets_none", "market_unknown", "text_too_long", "text_no_letters", "priority_choose", "priority_not_listed",
  "summary_choose", "missing",
] as const;
export type Reason = (typeof REASONS)[number];

// ---------------------------------------------------------------------------------------
// Wording (prompts/registration.yaml)
// ---------------------------------------------------------------------------------------

const text = z.string().min(1);
/** A template that must keep its {placeholders}. */
const template = (...names: string[]) =>
  z.string().min(1).refine((s) => names.every((n) => s.includes(`{${n}}`)), `must contain ${names.map((n) => `{${n}}`).join(", ")}`);

export const registrationPromptsSchema = z.object({
  retention: text,
  consent: template("retention"),
  consent_refused: text,
  cancelled: text,
  restarted: text,
  first_step: text,
  retry: template("reason", "question"),
  buttons: z.object({
    agree: text, disagree: text, back: text, cancel: text, skip: text, keep: text, done: text, confirm: text, edit: text, not_listed: text,
  }),
  questions: z.object({
    fullName: text, phone: text, birthYear: text, province: text, commune: template("province"), markets: text, trade: text,
    languageLevel: text, priorityGroup: text, contactTime: text, note: text,
  }),
  current_value: template("value"),
  markets_chosen: template("markets"),
  place_recorded: template("place"),
  old_place_note: template("old", "province"),
  old_place_note_dated: template("old", "province", "date"),
  place_choose: text,
  commune_unknown_note: text,
  summary_intro: text,
  summary_outro: template("place"),
  empty_value: text,
  old_place_label: template("old"),
  submitting: text,
  saved: template("case_id"),
  merged: template("case_id"),
  save_failed: text,
  status: template("case_id", "status"),
  no_case: text,
  deleted: template("count"),
  nothing_to_delete: text,
  ask_needs_case: text,
  ask_prompt: text,
  ask_sent: template("case_id"),
  fields: z.record(z.enum(FORM_FIELDS), text),
  /** Markets come from knowledge/markets.yaml; only "not decided yet" is the form's own. */
  undecided: z.object({ button: text, label: text }),
  language_levels: z.array(text).min(1),
  priority_groups: z.record(z.enum(PRIORITY_GROUPS), text),
  contact_times: z.array(text).min(1),
  reasons: z.record(z.enum(REASONS), text),
});
export type RegistrationPrompts = z.infer<typeof registrationPromptsSchema>;

/** Loads and checks `<promptsDir>/registration.yaml`; the error names the file and the field. */
export function loadRegistrationPrompts(promptsDir: string): RegistrationPrompts {
  return loadPromptFile(join(promptsDir, "registration.yaml"), registrationPromptsSchema);
}

// ---------------------------------------------------------------------------------------
// Draft and state
// ---------------------------------------------------------------------------------------

export const REGISTRATION_STATE_VERSION = 1;

const stepSchema = z.enum(REGISTRATION_STEPS);

/** Answers so far. Optional fields the person skipped are absent. */
const formDataSchema = z.object({
  consentAt: z.string().optional(),
  fullName: z.string().optional(),
  phone: z.string().optional(),
  birthYear: z.number().int().optional(),
  provinceId: z.string().optional(),
  communeId: z.string().optional(),
  /** A commune/ward typed that is not in knowledge/offices (kept as typed). */
  communeTyped: z.string().optional(),
  /** An old place name the person gave (id in old-names.yaml, and its name). */
  oldPlaceId: z.string().optional(),
  oldPlaceTyped: z.string().optional(),
  markets: z.array(z.string()).optional(),
  trade: z.string().optional(),
  languageLevel: z.string().optional(),
  priorityGroup: z.enum(PRIORITY_GROUPS).optional(),
  contactTime: z.string().optional(),
  note: z.string().optional(),
});
export type RegistrationFormData = z.infer<typeof formDataSchema>;

const candidateSchema = z.object({
  kind: z.enum(["province", "commune", "old_name"]),
  id: z.string(),
  label: z.string(),
  provinceId: z.string().nullable(),
});

export const registrationStateSchema = z.object({
  v: z.literal(REGISTRATION_STATE_VERSION),
  step: stepSchema,
  /** Steps answered before this one, latest last: what "Quay lại" goes back to. */
  history: z.array(stepSchema),
  data: formDataSchema,
  /** A place name that fits several places: the choices offered as buttons. */
  pending: z.object({ typed: z.string(), candidates: z.array(candidateSchema).min(1) }).optional(),
  /** Editing one field from the summary: what to restore on "Quay lại". */
  editFrom: z.object({ history: z.array(stepSchema), data: formDataSchema }).optional(),
  startedAt: z.string(),
  updatedAt: z.string(),
});
export type RegistrationState = z.infer<typeof registrationStateSchema>;

/** A stored state read back, or undefined when it is from another version or damaged. */
export function parseRegistrationState(value: unknown): RegistrationState | undefined {
  const parsed = registrationStateSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export interface RegistrationReply {
  /** Plain text; the channel escapes it. */
  text: string;
  buttons: string[];
}

export interface RegistrationStepResult {
  /**
   * The state to save. After `cancelled` it is empty (step "ended") and should be deleted.
   * With `done` it stays on the summary: keep it until the registration is durably saved,
   * so a failed save loses nothing and "Xác nhận" can be pressed again.
   */
  state: RegistrationState;
  reply: RegistrationReply;
  /** Confirmed and valid: ready to save. `reply` is then `submitting`, to be replaced by `saved`. */
  done?: RegistrationDraft;
  /** Cancelled or consent refused: nothing to keep. */
  cancelled?: boolean;
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

interface Ctx {
  kb: KnowledgeBase;
  p: RegistrationPrompts;
  now: Date;
  /** The current year in Vietnam. */
  year: number;
}

/** The market buttons: knowledge/markets.yaml's `register` labels in order, then "not decided yet". */
function marketButtons(ctx: Ctx): Array<{ id: RegistrationMarket; label: string }> {
  return [...ctx.kb.markets.registerButtons(), { id: UNDECIDED, label: ctx.p.undecided.button }];
}

/** How a chosen market is shown in the summary. */
function marketLabel(ctx: Ctx, id: RegistrationMarket): string {
  return id === UNDECIDED ? ctx.p.undecided.label : ctx.kb.markets.nameOf(id);
}

/** Folded, punctuation-free key for comparing what was typed with a button. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function reason(ctx: Ctx, code: Reason, values: Record<string, string | number> = {}): string {
  return fill(ctx.p.reasons[code], values);
}

/** The first issue's message, read as one of our reason codes. */
function firstReason(error: z.ZodError, fallback: Reason): Reason {
  const message = error.issues[0]?.message ?? "";
  return (REASONS as readonly string[]).includes(message) ? (message as Reason) : fallback;
}

const FREE_TEXT_STEPS = new Set<RegistrationStep>(["fullName", "commune", "trade", "languageLevel", "contactTime", "note"]);

function isCancel(ctx: Ctx, input: string, step: RegistrationStep): boolean {
  const words = registrationVocabulary(ctx.kb);
  const lower = input.toLowerCase().replace(/[.!]+$/, "");
  if (words.cancel_words.has(lower) || lower === ctx.p.buttons.cancel.toLowerCase()) return true;
  const k = key(input);
  if (words.cancel_keys.has(k)) return true;
  // Without diacritics these are also names ("Huy", "Dung"): a cancel only where no name is typed.
  return words.cancel_keys_outside_text.has(k) && !FREE_TEXT_STEPS.has(step);
}

function isBack(ctx: Ctx, input: string): boolean {
  const k = key(input);
  return registrationVocabulary(ctx.kb).back_keys.has(k) || k === key(ctx.p.buttons.back);
}

const buttonKeysCache = new WeakMap<KnowledgeBase, WeakMap<RegistrationPrompts, Set<string>>>();

/** Keys of every button the form shows anywhere: typed into a free-text step, it is a stale tap. */
function allButtonKeys(kb: KnowledgeBase, p: RegistrationPrompts): Set<string> {
  let byPrompts = buttonKeysCache.get(kb);
  if (!byPrompts) buttonKeysCache.set(kb, (byPrompts = new WeakMap()));
  const cached = byPrompts.get(p);
  if (cached) return cached;
  // "Quay lại" and "Hủy" are read before any step; without diacritics they are also names ("Huy").
  const { back: _back, cancel: _cancel, ...buttons } = p.buttons;
  const labels = [
    ...Object.values(buttons), ...kb.markets.registerButtons().map((b) => b.label), p.undecided.button, ...p.language_levels, ...Object.values(p.priority_groups),
    ...p.contact_times, ...FORM_FIELDS.map((f) => `${p.buttons.edit} ${p.fields[f]}`),
  ];
  const keys = new Set(labels.map(key));
  byPrompts.set(p, keys);
  return keys;
}

// ---------------------------------------------------------------------------------------
// Field checks (zod); each issue message is a reason code
// ---------------------------------------------------------------------------------------

const NAME_CHARS_RE = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;

/** Typed all in lower or upper case: "nguyen van an" → "Nguyen Van An". Otherwise as typed. */
function tidyName(s: string): string {
  const name = s.replace(/\s+/g, " ").replace(/[.\s]+$/, "").trim();
  if (name !== name.toLocaleLowerCase("vi") && name !== name.toLocaleUpperCase("vi")) return name;
  return name
    .split(" ")
    .map((w) => upperFirst(w.toLocaleLowerCase("vi")))
    .join(" ");
}

export const fullNameSchema = z
  .string()
  .max(100, "name_too_long")
  .refine((s) => !/\d/.test(s), "name_digits")
  .refine((s) => NAME_CHARS_RE.test(s), "name_chars")
  .refine((s) => (s.match(/\p{L}/gu) ?? []).length >= 2, "name_too_short")
  .refine((s) => s.trim().split(/\s+/).length >= 2, "name_one_word")
  .transform(tidyName)
  .pipe(registrationSchema.shape.fullName);

/** The year of birth for someone MIN_AGE to MAX_AGE years old in `year` (by year of birth). */
export function birthYearSchema(year: number) {
  return z
    .number()
    .int("year_format")
    .max(year, "year_future")
    .max(year - MIN_AGE, "year_under_18")
    .min(year - MAX_AGE, "year_too_old")
    .pipe(registrationSchema.shape.birthYear);
}

/** The one four-digit year in the text ("1998", "sinh năm 1998", "15/03/1998"), else undefined. */
export function readBirthYear(text: string): number | undefined {
  const years = text.normalize("NFKC").match(/(?<!\d)\d{4}(?!\d)/g) ?? [];
  return years.length === 1 ? Number(years[0]) : undefined;
}

function freeTextSchema(max: number) {
  return z
    .string()
    .min(1, "empty")
    .max(max, "text_too_long")
    .refine((s) => /[\p{L}\p{N}]/u.test(s), "text_no_letters");
}

const communeTextSchema = z
  .string()
  .min(2, "commune_bad")
  .max(MAX_COMMUNE, "place_too_long")
  .refine((s) => /\p{L}/u.test(s), "commune_bad")
  // A phone number, a link or an e-mail address is not a place.
  .refine((s) => !/\d{5,}|https?:|www\.|@/i.test(s.replace(/[\s.-]/g, "")), "commune_bad");

// ---------------------------------------------------------------------------------------
// Questions and replies
// ---------------------------------------------------------------------------------------

function provinceName(ctx: Ctx, id: string | undefined): string {
  const p = id ? ctx.kb.offices.provinces.find((x) => x.id === id) : undefined;
  return p ? provinceLabel(ctx.kb, p) : "";
}

function communeName(ctx: Ctx, d: RegistrationFormData): string | undefined {
  if (d.communeId) return ctx.kb.offices.communes.find((c) => c.id === d.communeId)?.name;
  return d.communeTyped;
}

/** "Phường Bồ Đề, thành phố Hà Nội" / "Thành phố Hà Nội". */
function placeText(ctx: Ctx, d: RegistrationFormData): string {
  return upperFirst([communeName(ctx, d), provinceName(ctx, d.provinceId)].filter(Boolean).join(", "));
}

function oldNote(ctx: Ctx, o: OldName): string {
  const values = { old: oldNameLabel(ctx.kb, o), province: provinceName(ctx, o.replaced_by.province ?? undefined), date: o.ended ? formatDate(o.ended) : "" };
  return fill(o.ended ? ctx.p.old_place_note_dated : ctx.p.old_place_note, values);
}

/** A field's answer as shown to the person; undefined when there is none. */
function shown(ctx: Ctx, d: RegistrationFormData, field: FormField): string | undefined {
  const p = ctx.p;
  switch (field) {
    case "phone":
      return d.phone ? formatVnMobile(d.phone) : undefined;
    case "birthYear":
      return d.birthYear === undefined ? undefined : String(d.birthYear);
    case "province": {
      if (!d.provinceId) return undefined;
      const name = upperFirst(provinceName(ctx, d.provinceId));
      return d.oldPlaceTyped ? `${name} (${fill(p.old_place_label, { old: d.oldPlaceTyped })})` : name;
    }
    case "commune":
      return communeName(ctx, d);
    case "markets":
      return d.markets?.length ? d.markets.map((m) => marketLabel(ctx, m)).join(", ") : undefined;
    case "priorityGroup":
      return d.priorityGroup ? p.priority_groups[d.priorityGroup] : undefined;
    default:
      return d[field];
  }
}

function hasValue(d: RegistrationFormData, field: FormField): boolean {
  if (field === "province") return d.provinceId !== undefined;
  if (field === "commune") return d.communeId !== undefined || d.communeTyped !== undefined;
  if (field === "markets") return (d.markets?.length ?? 0) > 0;
  return d[field] !== undefined;
}

function consentReply(p: RegistrationPrompts, notes: string[] = []): RegistrationReply {
  return { text: [...notes, fill(p.consent, { retention: p.retention })].join("\n"), buttons: [p.buttons.agree, p.buttons.disagree] };
}

/** The communes an old district became (for buttons), in the chosen province. */
function oldPlaceCommunes(ctx: Ctx, d: RegistrationFormData): string[] {
  const o = d.oldPlaceId ? ctx.kb.offices.oldNames.find((x) => x.id === d.oldPlaceId) : undefined;
  if (!o) return [];
  return o.replaced_by.communes.flatMap((id) => {
    const c = ctx.kb.offices.communes.find((x) => x.id === id);
    return c && c.province === d.provinceId ? [c.name] : [];
  });
}

function summaryReply(ctx: Ctx, st: RegistrationState, notes: string[]): RegistrationReply {
  const p = ctx.p;
  const lines = FORM_FIELDS.map((f) => `• ${p.fields[f]}: ${shown(ctx, st.data, f) ?? p.empty_value}`);
  const text = [...notes, p.summary_intro, ...lines, fill(p.summary_outro, { place: placeText(ctx, st.data) })].join("\n");
  const buttons = [p.buttons.confirm, ...FORM_FIELDS.map((f) => `${p.buttons.edit} ${lowerFirst(p.fields[f])}`), p.buttons.cancel];
  return { text, buttons };
}

/** The question for the current step (with any notes first) and its buttons. */
function ask(ctx: Ctx, st: RegistrationState, notes: string[] = []): RegistrationReply {
  const p = ctx.p;
  const d = st.data;
  if (st.step === "consent") return consentReply(p, notes);
  if (st.step === "summary") return summaryReply(ctx, st, notes);
  if (st.step === "ended") return { text: notes.join("\n"), buttons: [] };
  const field = st.step;
  const nav = [p.buttons.back, p.buttons.cancel];
  if (st.pending) {
    const extra = field === "commune" ? [p.buttons.not_listed] : [];
    return { text: [...notes, p.place_choose].join("\n"), buttons: [...st.pending.candidates.map((c) => c.label), ...extra, ...nav] };
  }
  const lines = [...notes];
  let buttons: string[] = [];
  switch (field) {
    case "commune":
      buttons = [...oldPlaceCommunes(ctx, d), p.buttons.skip];
      break;
    case "markets": {
      const chosen = d.markets ?? [];
      buttons = [...marketButtons(ctx).map(({ id, label }) => (chosen.includes(id) ? `✓ ${label}` : label)), p.buttons.done];
      break;
    }
    case "trade":
    case "note":
      buttons = [p.buttons.skip];
      break;
    case "languageLevel":
      buttons = [...p.language_levels, p.buttons.skip];
      break;
    case "priorityGroup":
      buttons = PRIORITY_GROUPS.map((g) => p.priority_groups[g]);
      break;
    case "contactTime":
      buttons = [...p.contact_times];
      break;
    default:
      break;
  }
  if (field === "markets" && d.markets?.length) {
    lines.push(fill(p.markets_chosen, { markets: shown(ctx, d, "markets")! }));
  } else {
    lines.push(fill(p.questions[field], { province: provinceName(ctx, d.provinceId) }));
    if (hasValue(d, field)) {
      lines.push(fill(p.current_value, { value: shown(ctx, d, field)! }));
      buttons.push(p.buttons.keep);
    }
  }
  return { text: lines.join("\n"), buttons: [...buttons, ...nav] };
}

// ---------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------

type Outcome =
  /** The answer is taken: go on (notes are said before the next question). */
  | { kind: "next"; notes?: string[]; skipCommune?: boolean }
  /** Taken, but the same question continues (a market added, a place to choose). */
  | { kind: "stay"; notes?: string[] }
  | { kind: "retry"; reason: string };

const next = (notes: string[] = [], skipCommune = false): Outcome => ({ kind: "next", notes, skipCommune });
const stay = (notes: string[] = []): Outcome => ({ kind: "stay", notes });

function retryWith(ctx: Ctx, code: Reason, values?: Record<string, string | number>): Outcome {
  return { kind: "retry", reason: reason(ctx, code, values) };
}

function onFullName(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const r = fullNameSchema.safeParse(input);
  if (!r.success) return retryWith(ctx, firstReason(r.error, "name_chars"));
  st.data.fullName = r.data;
  return next();
}

function onPhone(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const r = vnMobileSchema.safeParse(input);
  if (!r.success) {
    // The phone schema says "landline"; the reason is "phone_landline".
    const code = `phone_${r.error.issues[0]?.message ?? ""}`;
    return retryWith(ctx, (REASONS as readonly string[]).includes(code) ? (code as Reason) : "phone_not_mobile");
  }
  st.data.phone = r.data;
  return next();
}

function onBirthYear(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const year = readBirthYear(input);
  if (year === undefined) return retryWith(ctx, "year_format");
  const r = birthYearSchema(ctx.year).safeParse(year);
  if (!r.success) return retryWith(ctx, firstReason(r.error, "year_format"));
  st.data.birthYear = r.data;
  return next();
}

const TASK = "register_interest" as const;

function oldNameById(ctx: Ctx, id: string): OldName | undefined {
  return ctx.kb.offices.oldNames.find((o) => o.id === id);
}

/** Old names of places (not of offices). */
function isPlaceOldName(o: OldName | undefined): o is OldName {
  return !!o && (o.level === "district" || o.level === "commune" || o.level === "province");
}

function setProvince(ctx: Ctx, st: RegistrationState, place: { provinceId: string; communeId?: string; oldName?: OldName }): Outcome {
  const d = st.data;
  const changed = d.provinceId !== place.provinceId;
  delete d.oldPlaceId;
  delete d.oldPlaceTyped;
  if (changed || place.communeId || place.oldName) {
    delete d.communeId;
    delete d.communeTyped;
  }
  d.provinceId = place.provinceId;
  if (place.communeId) d.communeId = place.communeId;
  if (place.oldName) {
    d.oldPlaceId = place.oldName.id;
    d.oldPlaceTyped = place.oldName.old_name;
  }
  const notes = place.oldName ? [oldNote(ctx, place.oldName)] : [];
  notes.push(fill(ctx.p.place_recorded, { place: placeText(ctx, d) }));
  // Editing from the summary: the same province keeps the commune already given.
  const keepsCommune = !!st.editFrom && !changed && !place.oldName && hasValue(d, "commune");
  return next(notes, !!place.communeId || keepsCommune);
}

function setCommune(ctx: Ctx, st: RegistrationState, communeId: string): Outcome {
  st.data.communeId = communeId;
  delete st.data.communeTyped;
  return next([fill(ctx.p.place_recorded, { place: placeText(ctx, st.data) })]);
}

/** A commune or ward that is not in knowledge/offices: kept as typed, in the chosen province. */
function typedCommune(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const r = communeTextSchema.safeParse(input);
  if (!r.success) return retryWith(ctx, firstReason(r.error, "commune_bad"));
  st.data.communeTyped = r.data;
  delete st.data.communeId;
  return next([ctx.p.commune_unknown_note, fill(ctx.p.place_recorded, { place: placeText(ctx, st.data) })]);
}

/** An old district named at the commune step: explained, then the wards it became are offered. */
function oldPlaceAtCommune(ctx: Ctx, st: RegistrationState, o: OldName): Outcome {
  st.data.oldPlaceId = o.id;
  st.data.oldPlaceTyped = o.old_name;
  delete st.data.communeId;
  delete st.data.communeTyped;
  return stay([oldNote(ctx, o)]);
}

/** Several places fit: ask which (one fitting place is simply taken). */
function offerChoice(ctx: Ctx, st: RegistrationState, typed: string, candidates: PlaceCandidate[]): Outcome {
  if (candidates.length === 1) return applyCandidate(ctx, st, candidates[0]!);
  st.pending = {
    typed: typed.slice(0, MAX_COMMUNE * 2),
    candidates: candidates.slice(0, MAX_CANDIDATES).map((c) => ({ kind: c.kind, id: c.id, label: c.label, provinceId: c.provinceId })),
  };
  return stay();
}

function applyCandidate(ctx: Ctx, st: RegistrationState, c: Pick<PlaceCandidate, "kind" | "id" | "provinceId">): Outcome {
  if (st.step === "province") {
    if (c.kind === "province") return setProvince(ctx, st, { provinceId: c.id });
    if (c.kind === "commune") {
      const commune = ctx.kb.offices.communes.find((x) => x.id === c.id);
      if (commune) return setProvince(ctx, st, { provinceId: commune.province, communeId: commune.id });
    }
    const o = oldNameById(ctx, c.id);
    if (c.kind === "old_name" && isPlaceOldName(o) && o.replaced_by.province) {
      return setProvince(ctx, st, { provinceId: o.replaced_by.province, oldName: o });
    }
    return retryWith(ctx, "place_need_province");
  }
  if (c.kind === "commune") return setCommune(ctx, st, c.id);
  const o = oldNameById(ctx, c.id);
  if (c.kind === "old_name" && isPlaceOldName(o)) return oldPlaceAtCommune(ctx, st, o);
  return retryWith(ctx, "commune_is_province");
}

function onProvince(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const r = findOffice(ctx.kb, { place: input, task: TASK });
  if (r.status === "invalid_input") return retryWith(ctx, "place_too_long");
  if (r.status === "unknown_place") return retryWith(ctx, "place_unknown");
  if (r.status === "ambiguous") {
    const places = r.candidates.filter((c) => c.provinceId !== null && (c.kind !== "old_name" || isPlaceOldName(oldNameById(ctx, c.id))));
    if (places.length === 0) return retryWith(ctx, "place_unknown");
    return offerChoice(ctx, st, input, places);
  }
  if (!r.province) return retryWith(ctx, "place_need_province");
  const o = r.oldName ? oldNameById(ctx, r.oldName.id) : undefined;
  return setProvince(ctx, st, { provinceId: r.province.id, communeId: r.commune?.id, oldName: isPlaceOldName(o) ? o : undefined });
}

function onCommune(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const k = key(input);
  if (k === key(ctx.p.buttons.skip) || registrationVocabulary(ctx.kb).dont_know.test(k)) {
    delete st.data.communeId;
    delete st.data.communeTyped;
    return next();
  }
  if (allButtonKeys(ctx.kb, ctx.p).has(k)) return retryWith(ctx, "stale_button");
  const provinceId = st.data.provinceId;
  const r = findOffice(ctx.kb, { commune: input, task: TASK });
  if (r.status === "invalid_input") return retryWith(ctx, "place_too_long");
  if (r.status === "unknown_place") return typedCommune(ctx, st, input);
  if (r.status === "ambiguous") {
    const isProvinceLevel = (c: PlaceCandidate) => c.kind === "province" || oldNameById(ctx, c.id)?.level === "province";
    const here = r.candidates.filter((c) => c.provinceId === provinceId && !isProvinceLevel(c));
    if (here.length > 0) return offerChoice(ctx, st, input, here);
    const onlyProvinces = r.candidates.every(isProvinceLevel);
    // Commune names repeat across provinces: one we know elsewhere may well exist here too.
    return onlyProvinces ? retryWith(ctx, "commune_is_province") : typedCommune(ctx, st, input);
  }
  if (r.commune) return r.commune.provinceId === provinceId ? setCommune(ctx, st, r.commune.id) : typedCommune(ctx, st, input);
  const o = r.oldName ? oldNameById(ctx, r.oldName.id) : undefined;
  if (o && o.level === "province") return retryWith(ctx, "commune_is_province");
  if (isPlaceOldName(o)) return o.replaced_by.province === provinceId ? oldPlaceAtCommune(ctx, st, o) : typedCommune(ctx, st, input);
  if (o) return retryWith(ctx, "commune_bad");
  if (r.province) return retryWith(ctx, "commune_is_province");
  return typedCommune(ctx, st, input);
}

function onMarkets(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const p = ctx.p;
  const chosen = [...(st.data.markets ?? [])];
  const k = key(input);
  if (k === key(p.buttons.done)) return chosen.length > 0 ? next() : retryWith(ctx, "markets_none");
  const button = marketButtons(ctx).find((b) => key(b.label) === k)?.id;
  if (button === UNDECIDED || registrationVocabulary(ctx.kb).dont_know.test(k)) {
    st.data.markets = [UNDECIDED];
    return next();
  }
  if (button) {
    // A ticked button ("✓ Nhật Bản") takes the market off again.
    if (/^\s*✓/.test(input) && chosen.includes(button)) {
      st.data.markets = chosen.filter((m) => m !== button);
      return stay();
    }
    st.data.markets = [...new Set([...chosen.filter((m) => m !== UNDECIDED), button])];
    return stay();
  }
  // Typed: "nhật, đài loan", "Hàn và Đức".
  const parts = input.split(registrationVocabulary(ctx.kb).list_separator).map((s) => s.trim()).filter(Boolean);
  const markets = parts.map((part) => ctx.kb.markets.destination(part)?.market);
  if (parts.length === 0 || markets.some((m) => m === undefined)) return retryWith(ctx, "market_unknown");
  st.data.markets = [...new Set([...chosen.filter((m) => m !== UNDECIDED), ...(markets as RegistrationMarket[])])];
  return stay();
}

/** An optional free-text answer (trade, note…): a button, "Bỏ qua", or text up to `max`. */
function onOptionalText(
  ctx: Ctx,
  st: RegistrationState,
  input: string,
  field: "trade" | "languageLevel" | "contactTime" | "note",
  max: number,
  options: string[] = [],
): Outcome {
  const k = key(input);
  if (k === key(ctx.p.buttons.skip)) {
    delete st.data[field];
    return next();
  }
  const option = options.find((o) => key(o) === k);
  if (option) {
    st.data[field] = option;
    return next();
  }
  if (allButtonKeys(ctx.kb, ctx.p).has(k)) return retryWith(ctx, "stale_button");
  const r = freeTextSchema(max).safeParse(input);
  if (!r.success) return retryWith(ctx, firstReason(r.error, "text_no_letters"), { max });
  st.data[field] = r.data;
  return next();
}

function onPriority(ctx: Ctx, st: RegistrationState, input: string): Outcome {
  const k = key(input);
  const byButton = PRIORITY_GROUPS.find((g) => key(ctx.p.priority_groups[g]) === k);
  const group = byButton ?? parsePriorityGroup(ctx.kb, input);
  if (group === undefined) return retryWith(ctx, "priority_choose");
  if (!(PRIORITY_GROUPS as readonly string[]).includes(group)) return retryWith(ctx, "priority_not_listed");
  st.data.priorityGroup = group as (typeof PRIORITY_GROUPS)[number];
  return next();
}

function onConsent(ctx: Ctx, st: RegistrationState, input: string): Outcome | "refused" {
  const k = key(input);
  if (k === key(ctx.p.buttons.disagree) || /^(toi )?(khong|ko|k|no|tu choi|khong dong y|ko dong y|chua dong y)( a)?$/.test(k)) return "refused";
  if (k === key(ctx.p.buttons.agree) || /^(toi )?(dong y|ok|oke|okay|co|yes|chap nhan|dong y a|co a|duoc)( a)?$/.test(k)) {
    st.data.consentAt = ctx.now.toISOString();
    return next();
  }
  return retryWith(ctx, "consent_choose");
}

// ---------------------------------------------------------------------------------------
// Moving between steps
// ---------------------------------------------------------------------------------------

const ORDER: RegistrationStep[] = ["consent", ...FORM_FIELDS];

function nextStep(from: RegistrationStep, skipCommune: boolean): RegistrationStep {
  const i = ORDER.indexOf(from);
  const to = ORDER[i + 1] ?? "summary";
  return to === "commune" && skipCommune ? "markets" : to;
}

function advance(ctx: Ctx, st: RegistrationState, outcome: Extract<Outcome, { kind: "next" }>): RegistrationStepResult {
  const from = st.step;
  st.pending = undefined;
  const provinceThenCommune = from === "province" && !outcome.skipCommune;
  if (st.editFrom && !provinceThenCommune) {
    // The edited field is done: back to the summary.
    st.history = st.editFrom.history;
    st.editFrom = undefined;
    st.step = "summary";
  } else {
    st.history.push(from);
    st.step = nextStep(from, outcome.skipCommune ?? false);
  }
  return { state: st, reply: ask(ctx, st, outcome.notes) };
}

function goBack(ctx: Ctx, st: RegistrationState): RegistrationStepResult {
  if (st.pending) {
    st.pending = undefined;
    return { state: st, reply: ask(ctx, st) };
  }
  const previous = st.history.pop();
  if (!previous) return { state: st, reply: ask(ctx, st, [ctx.p.first_step]) };
  if (previous === "summary" && st.editFrom) {
    // Leaving an edit: the summary as it was before.
    st.data = st.editFrom.data;
    st.history = st.editFrom.history;
    st.editFrom = undefined;
  }
  st.step = previous;
  return { state: st, reply: ask(ctx, st) };
}

function ended(st: RegistrationState, text: string): RegistrationStepResult {
  const state: RegistrationState = { v: REGISTRATION_STATE_VERSION, step: "ended", history: [], data: {}, startedAt: st.startedAt, updatedAt: st.updatedAt };
  return { state, reply: { text, buttons: [] }, cancelled: true };
}

const FIELD_OF_DRAFT_KEY: Record<string, RegistrationStep> = {
  consentAt: "consent", fullName: "fullName", phone: "phone", birthYear: "birthYear", provinceId: "province", communeId: "commune",
  placeTyped: "commune", markets: "markets", trade: "trade", languageLevel: "languageLevel", priorityGroup: "priorityGroup",
  contactTime: "contactTime", note: "note",
};

/** The draft from the answers, with absent optional fields left out. */
function buildDraft(d: RegistrationFormData): Record<string, unknown> {
  const placeTyped = [d.communeTyped, d.oldPlaceTyped].filter(Boolean).join(", ");
  const draft: Record<string, unknown> = {
    consentAt: d.consentAt, fullName: d.fullName, phone: d.phone, birthYear: d.birthYear, provinceId: d.provinceId,
    communeId: d.communeId, placeTyped: placeTyped || undefined, markets: d.markets, trade: d.trade, languageLevel: d.languageLevel,
    priorityGroup: d.priorityGroup, contactTime: d.contactTime, note: d.note,
  };
  for (const k of Object.keys(draft)) if (draft[k] === undefined) delete draft[k];
  return draft;
}

function confirm(ctx: Ctx, st: RegistrationState): RegistrationStepResult {
  const parsed = registrationDraftSchema.safeParse(buildDraft(st.data));
  let missing: RegistrationStep | undefined;
  if (!parsed.success) missing = FIELD_OF_DRAFT_KEY[String(parsed.error.issues[0]?.path[0])] ?? "consent";
  else if (!ctx.kb.offices.provinces.some((p) => p.id === parsed.data.provinceId)) missing = "province";
  else if (!birthYearSchema(ctx.year).safeParse(parsed.data.birthYear).success) missing = "birthYear";
  if (missing || !parsed.success) {
    // Should not happen (every step checks its answer): ask that field again, as an edit
    // from the summary, rather than save it.
    beginEdit(st, missing ?? "consent");
    return retryReply(ctx, st, reason(ctx, "missing"));
  }
  return { state: st, reply: { text: ctx.p.submitting, buttons: [] }, done: parsed.data };
}

function onSummary(ctx: Ctx, st: RegistrationState, input: string): RegistrationStepResult {
  const p = ctx.p;
  const k = key(input);
  if (k === key(p.buttons.confirm) || /^(xac nhan|dung roi|gui|gui di)$/.test(k)) return confirm(ctx, st);
  const field = FORM_FIELDS.find((f) => key(`${p.buttons.edit} ${p.fields[f]}`) === k);
  if (field) {
    beginEdit(st, field);
    return { state: st, reply: ask(ctx, st) };
  }
  return retryReply(ctx, st, reason(ctx, "summary_choose"));
}

/** From the summary to one field's question; once answered, the form returns to the summary. */
function beginEdit(st: RegistrationState, step: RegistrationState["step"]): void {
  st.editFrom = { history: [...st.history], data: clone(st.data) };
  st.history.push("summary");
  st.step = step;
}

/** The current question again, saying why the last answer was not taken. */
function retryReply(ctx: Ctx, st: RegistrationState, why: string): RegistrationStepResult {
  const reply = ask(ctx, st);
  return { state: st, reply: { ...reply, text: fill(ctx.p.retry, { reason: why, question: reply.text }) } };
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/** A new form: the consent question. */
export function startRegistration(now: Date, prompts: RegistrationPrompts): { state: RegistrationState; reply: RegistrationReply } {
  const at = now.toISOString();
  const state: RegistrationState = { v: REGISTRATION_STATE_VERSION, step: "consent", history: [], data: {}, startedAt: at, updatedAt: at };
  return { state, reply: consentReply(prompts) };
}

/**
 * Reads one message as the answer to the current question. Never throws on what people
 * type; a state that is not readable (another version, damaged) starts the form again.
 */
export function stepRegistration(
  kb: KnowledgeBase,
  state: RegistrationState,
  text: string,
  now: Date,
  prompts: RegistrationPrompts,
): RegistrationStepResult {
  const parsed = parseRegistrationState(state);
  if (!parsed || parsed.step === "ended") return { state: startRegistration(now, prompts).state, reply: consentReply(prompts, [prompts.restarted]) };
  const st: RegistrationState & { step: Exclude<RegistrationStep, "ended"> } = { ...clone(parsed), step: parsed.step };
  st.updatedAt = now.toISOString();
  const ctx: Ctx = { kb, p: prompts, now, year: vnYear(now) };
  const input = cleanUserText(text);

  if (isCancel(ctx, input, st.step)) return ended(st, st.step === "consent" ? prompts.consent_refused : prompts.cancelled);
  if (isBack(ctx, input)) return goBack(ctx, st);
  const retry = (why: string) => retryReply(ctx, st, why);
  if (!input) return retry(reason(ctx, "empty"));
  if (st.step === "summary") return onSummary(ctx, st, input);

  // A place to choose among: a tap on one of the choices, or a new answer to the question.
  if (st.pending) {
    const k = key(input);
    const pending = st.pending;
    const index = /^\d$/.test(k) ? Number(k) - 1 : pending.candidates.findIndex((c) => key(c.label) === k);
    st.pending = undefined;
    const chosen = pending.candidates[index];
    let outcome: Outcome | undefined;
    if (chosen) outcome = applyCandidate(ctx, st, chosen);
    else if (st.step === "commune" && k === key(prompts.buttons.not_listed)) outcome = typedCommune(ctx, st, pending.typed);
    if (outcome) return settle(ctx, st, outcome, retry);
  }

  if (st.step !== "consent" && key(input) === key(prompts.buttons.keep) && hasValue(st.data, st.step)) {
    return advance(ctx, st, { kind: "next", skipCommune: st.step === "province" && !!st.editFrom && hasValue(st.data, "commune") });
  }

  let outcome: Outcome | "refused";
  switch (st.step) {
    case "consent":
      outcome = onConsent(ctx, st, input);
      break;
    case "fullName":
      outcome = allButtonKeys(kb, prompts).has(key(input)) ? retryWith(ctx, "stale_button") : onFullName(ctx, st, input);
      break;
    case "phone":
      outcome = onPhone(ctx, st, input);
      break;
    case "birthYear":
      outcome = onBirthYear(ctx, st, input);
      break;
    case "province":
      outcome = onProvince(ctx, st, input);
      break;
    case "commune":
      outcome = onCommune(ctx, st, input);
      break;
    case "markets":
      outcome = onMarkets(ctx, st, input);
      break;
    case "trade":
      outcome = onOptionalText(ctx, st, input, "trade", MAX_TRADE);
      break;
    case "languageLevel":
      outcome = onOptionalText(ctx, st, input, "languageLevel", MAX_SHORT_TEXT, prompts.language_levels);
      break;
    case "priorityGroup":
      outcome = onPriority(ctx, st, input);
      break;
    case "contactTime":
      outcome = onOptionalText(ctx, st, input, "contactTime", MAX_SHORT_TEXT, prompts.contact_times);
      break;
    case "note":
      outcome = onOptionalText(ctx, st, input, "note", MAX_NOTE);
      break;
  }
  if (outcome === "refused") return ended(st, prompts.consent_refused);
  return settle(ctx, st, outcome, retry);
}

function settle(ctx: Ctx, st: RegistrationState, outcome: Outcome, retry: (why: string) => RegistrationStepResult): RegistrationStepResult {
  if (outcome.kind === "retry") return retry(outcome.reason);
  if (outcome.kind === "stay") return { state: st, reply: ask(ctx, st, outcome.notes) };
  return advance(ctx, st, outcome);
}

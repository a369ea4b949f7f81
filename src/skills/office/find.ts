/**
 * findOffice: which office to ask for a task, where the person lives.
 *
 * People name their place the way they always have: "Long Biên", "TP Cao Bằng", "Hà Giang",
 * "huyện X", with or without diacritics; the place recogniser (src/knowledge/places.ts)
 * reads it. The 2025 reorganisation ended the district level (01/07/2025) and merged
 * provinces (12/06/2025), so an old name must not be answered as if it still existed: we
 * say plainly that it ceased and where to go now, citing the old-names data. Everything
 * comes from `knowledge/offices/`; contacts there are null (not verified), so the answer
 * says "hỏi tại …" and never prints a phone number, address or web address. The wording
 * is prompts/skills/office.yaml (texts.ts).
 *
 * @example
 * const r = findOffice(kb, { place: "Long Biên", task: "loans" });
 * r.status;          // "resolved"
 * r.oldName?.ended;  // "2025-07-01"
 * r.answer.text;     // "Quận Long Biên không còn từ 01/07/2025. …"
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Commune, OfficeTask, OfficeType, OldName, Province } from "../../knowledge/offices-schema.ts";
import { officeTaskSchema } from "../../knowledge/offices-schema.ts";
import {
  bareName, entryProvinceId, oldNameLabel, provinceLabel, resolvePlace, uniqueEntries,
  type PlaceEntry, type PlaceResolution,
} from "../../knowledge/places.ts";
import { CONFIDENCES, type Confidence } from "../../knowledge/schema.ts";
import { cleanUserText } from "../../text/normalize.ts";
import { fill, formatDate, lowerFirst, textRoom, upperFirst } from "../../text/wording.ts";
import { citeRule, citeSource, needsHedge, toCitations, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { policeCard, safeEcho, type ToolAnswer } from "../answer.ts";
import { officeTexts, type OfficeTexts } from "./texts.ts";

/** How answers write a province ("tỉnh Cao Bằng"): the place recogniser's, for the form and the tool's users. */

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

export const findOfficeInputSchema = z.object({
  province: z
    .string()
    .max(100)
    .optional()
    .describe("Province or city, with or without diacritics, e.g. \"Cao Bang\", \"tp hcm\"; old province names accepted."),
  commune: z
    .string()
    .max(100)
    .optional()
    .describe("Commune, ward or special zone (xa, phuong, dac khu), e.g. \"phuong Bo De\"."),
  place: z
    .string()
    .max(200)
    .optional()
    .describe("Free-text place as the person typed it, e.g. \"Long Bien\", \"TP Cao Bang\", \"huyen X\" (an old district)."),
  task: officeTaskSchema.describe(
    "The task: register_interest (registering to go), counselling (advice), direct_contract_registration (registering a contract signed directly with an employer abroad), cv_certification (certifying the CV), loans (borrowing to go), eps (the Korea EPS programme), licence_check (checking a recruiter's licence), complaints (complaints, reports of fraud), returnee_support (support after coming back), protection_abroad (help while abroad)",
  ),
});
export type FindOfficeInput = z.input<typeof findOfficeInputSchema>;

// ---------------------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------------------

export type FindOfficeStatus = "resolved" | "ambiguous" | "unknown_place" | "invalid_input";

export interface ResolvedProvince {
  id: string;
  name: string;
  /** "tỉnh Cao Bằng", "thành phố Hà Nội", "Thành phố Hồ Chí Minh". */
  label: string;
  kind: "city" | "province";
  confidence: Confidence;
}

export interface ResolvedCommune {
  id: string;
  name: string;
  provinceId: string;
  confidence: Confidence;
  citation: ToolCitation | null;
}

/** An old unit the person named, and what replaced it. */
export interface OldNameNotice {
  id: string;
  oldName: string;
  level: OldName["level"];
  /** ISO date the unit ceased, when known. */
  ended: string | null;
  provinceId: string | null;
  /** Communes/wards now covering the area (possibly incomplete, as the data says). */
  communes: Array<{ id: string; name: string }>;
  note: string | null;
  citation: ToolCitation;
}

export interface OfficeMatch {
  id: string;
  /** The kind of office, as in knowledge ("Sở Nội vụ tỉnh, thành phố"). */
  name: string;
  /** The office for this person's place ("Sở Nội vụ tỉnh Cao Bằng"). */
  where: string;
  handles: OfficeTask[];
  /** The same tasks in plain Vietnamese. */
  handlesText: string[];
  note: string | null;
  citation: ToolCitation;
  confidence: Confidence;
}

export interface PlaceCandidate {
  kind: "province" | "commune" | "old_name";
  id: string;
  /** What the chat can show as an option. */
  label: string;
  provinceId: string | null;
}

export interface FindOfficeResult {
  status: FindOfficeStatus;
  /** True when the chat should ask the person something (see `question`). */
  needsInput: boolean;
  question: string | null;
  task: OfficeTask | null;
  province: ResolvedProvince | null;
  commune: ResolvedCommune | null;
  oldName: OldNameNotice | null;
  /** Offices that handle the task, nearest first (commune → province → ministry → abroad). */
  offices: OfficeMatch[];
  /** Places the input could mean, when ambiguous. */
  candidates: PlaceCandidate[];
  /** Lowest confidence among what the answer relies on (null when nothing was resolved). */
  confidence: Confidence | null;
  answer: ToolAnswer;
}

// ---------------------------------------------------------------------------------------
// Order and confidence
// ---------------------------------------------------------------------------------------

/** Tasks done by a national office or abroad: the person's place does not change the answer. */
const NATIONAL_TASKS = new Set<OfficeTask>(["eps", "licence_check", "protection_abroad"]);

/** Nearest office first: what a family can reach on foot comes before a ministry. */
const OFFICE_ORDER = [
  "commune_committee", "social_policy_bank", "employment_service_centre", "home_affairs_department",
  "eps_centre", "overseas_labour_department", "embassy",
];

/** The least sure of these grades (CONFIDENCES runs from the surest). */
function lowest(values: Confidence[]): Confidence | null {
  if (values.length === 0) return null;
  return values.reduce((a, b) => (CONFIDENCES.indexOf(b) > CONFIDENCES.indexOf(a) ? b : a));
}

/**
 * The general "district level ended" entry (Phòng LĐTBXH cấp huyện): the old district-level
 * unit that no one province replaced, when it has an end date.
 */
function districtEndEntry(kb: KnowledgeBase): (OldName & { ended: string }) | undefined {
  return kb.offices.oldNames.find((o): o is OldName & { ended: string } => o.level === "district" && !o.replaced_by.province && o.ended !== undefined);
}

function sortOffices(types: OfficeType[]): OfficeType[] {
  const pos = (id: string): number => {
    const i = OFFICE_ORDER.indexOf(id);
    return i === -1 ? OFFICE_ORDER.length : i;
  };
  return [...types].sort((a, b) => pos(a.id) - pos(b.id));
}

// ---------------------------------------------------------------------------------------
// Wording
// ---------------------------------------------------------------------------------------

interface PlaceContext {
  province: Province | null;
  commune: Commune | null;
  oldName: OldName | null;
  /** Commune the person typed that we have no data for (shown back, sanitised). */
  unknownCommune: string | null;
}

/** Where to ask at the person's place, as prompts/skills/office.yaml `where` says for the office type. */
function officeWhere(kb: KnowledgeBase, t: OfficeTexts, office: OfficeType, ctx: PlaceContext): string {
  const where = t.where[office.id];
  if (!where) return office.name;
  const province = ctx.province ? provinceLabel(kb, ctx.province) : "";
  const values = { office: office.name, province };
  if (ctx.commune && where.commune) return fill(where.commune, { ...values, commune: lowerFirst(ctx.commune.name) });
  const communes = (ctx.oldName?.replaced_by.communes ?? [])
    .map((id) => kb.offices.communes.find((c) => c.id === id)?.name)
    .filter((n): n is string => !!n)
    .map((n) => bareName(kb, n));
  if (communes.length > 0 && where.examples) return fill(where.examples, { ...values, communes: communes.join(", ") });
  if (ctx.province && where.province) return fill(where.province, values);
  return fill(where.anywhere, values);
}

/** What the person typed, shown back quoted (or the words for "what you typed" when nothing printable is left). */
function shownTyped(t: OfficeTexts, typed: string): string {
  const echo = safeEcho(typed);
  return echo ? fill(t.typed.quoted, { text: echo }) : t.typed.nothing;
}

/** A result that asks back: no place resolved (yet). */
function askingResult(status: "invalid_input" | "unknown_place", question: string, task: OfficeTask | null, extra: Partial<FindOfficeResult> = {}): FindOfficeResult {
  return {
    status, needsInput: true, question, task, province: null, commune: null, oldName: null, offices: [], candidates: [],
    confidence: null, answer: { text: question, citations: [], hedged: false }, ...extra,
  };
}

function invalid(question: string, task: OfficeTask | null = null): FindOfficeResult {
  return askingResult("invalid_input", question, task);
}

function candidateOf(kb: KnowledgeBase, t: OfficeTexts, e: PlaceEntry): PlaceCandidate {
  const provinceId = entryProvinceId(e);
  const province = provinceId ? kb.offices.provinces.find((p) => p.id === provinceId) : undefined;
  const inProvince = province ? provinceLabel(kb, province) : undefined;
  let label: string;
  if (e.kind === "province") label = upperFirst(provinceLabel(kb, e.province));
  else if (e.kind === "commune") label = inProvince ? fill(t.candidates.commune_in, { name: e.commune.name, province: inProvince }) : e.commune.name;
  else {
    const name = oldNameLabel(kb, e.oldName);
    label = inProvince ? fill(t.candidates.old_name_in, { name, province: inProvince }) : fill(t.candidates.old_name, { name });
  }
  return { kind: e.kind, id: e.id, label, provinceId };
}

/** Cuts whole lines before the last (keeping the first) until the text fits. */
function fit(lines: string[], max: number): string {
  const out = [...lines];
  while (out.join("\n").length > max && out.length > 1) out.splice(out.length - 2, 1);
  const text = out.join("\n");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Fits the text into one reply with its citation lines, but never drops the closing hedge
 * line: it is what makes a V-S/M answer honest.
 */
function fitKeepingHedge(kb: KnowledgeBase, lines: string[], hedged: boolean, citations: ToolCitation[]): string {
  const room = textRoom(toCitations(kb, citations));
  if (!hedged) return fit(lines, room);
  const hedge = lines[lines.length - 1]!;
  const body = fit(lines.slice(0, -1), room - hedge.length - 1);
  return `${body}\n${hedge}`;
}

// ---------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------

/**
 * Offices for `input.task` at the person's place. Never throws on bad input: it returns
 * `status: "invalid_input"` with a Vietnamese question instead.
 */
export function findOffice(kb: KnowledgeBase, input: FindOfficeInput): FindOfficeResult {
  const t = officeTexts(kb);
  const parsed = findOfficeInputSchema.safeParse(input);
  if (!parsed.success) {
    const onTask = parsed.error.issues.some((i) => i.path[0] === "task");
    return invalid(onTask ? t.questions.task : t.questions.bad_place);
  }
  const { task } = parsed.data;
  const typed = {
    province: parsed.data.province ? cleanUserText(parsed.data.province) : "",
    commune: parsed.data.commune ? cleanUserText(parsed.data.commune) : "",
    place: parsed.data.place ? cleanUserText(parsed.data.place) : "",
  };
  const national = NATIONAL_TASKS.has(task);

  const parts: Array<{ field: keyof typeof typed; res: PlaceResolution }> = [];
  if (typed.province) parts.push({ field: "province", res: resolvePlace(kb, typed.province, "province") });
  if (typed.commune) parts.push({ field: "commune", res: resolvePlace(kb, typed.commune, "commune") });
  if (typed.place) parts.push({ field: "place", res: resolvePlace(kb, typed.place, undefined) });

  const found = parts.flatMap((p) => (p.res.kind === "found" ? [p.res.entry] : []));
  const knownProvinceIds = new Set(found.map(entryProvinceId).filter((id): id is string => id !== null));

  // An ambiguous part may be settled by another part's province ("Quảng…" + commune in Quảng Trị).
  for (const p of parts) {
    if (p.res.kind !== "ambiguous" || knownProvinceIds.size !== 1) continue;
    const [only] = knownProvinceIds;
    const narrowed = p.res.entries.filter((e) => entryProvinceId(e) === only);
    if (narrowed.length === 1) {
      p.res = { kind: "found", entry: narrowed[0]!, matchedBy: "partial" };
      found.push(narrowed[0]!);
    }
  }

  const ambiguous = parts.flatMap((p) => (p.res.kind === "ambiguous" ? p.res.entries : []));
  const provinceIds = new Set(found.map(entryProvinceId).filter((id): id is string => id !== null));
  // Two parts naming places in different provinces: ask rather than guess.
  const conflicting = provinceIds.size > 1 ? found : [];
  const askAmong = uniqueEntries([...ambiguous, ...conflicting]);
  if (askAmong.length > 1 && !national) {
    const candidates = askAmong.map((e) => candidateOf(kb, t, e));
    const question = fill(t.questions.which_place, { candidates: candidates.map((c) => c.label).join("; ") });
    return {
      ...invalid(fit([question], textRoom([])), task),
      status: "ambiguous",
      candidates,
    };
  }

  // The place, from the most specific part down.
  const ctx: PlaceContext = { province: null, commune: null, oldName: null, unknownCommune: null };
  for (const e of found) {
    if (e.kind === "commune") ctx.commune = e.commune;
    else if (e.kind === "old_name") ctx.oldName ??= e.oldName;
  }
  const provinceId = provinceIds.size === 1 ? [...provinceIds][0]! : null;
  ctx.province = provinceId ? (kb.offices.provinces.find((p) => p.id === provinceId) ?? null) : null;
  const communePart = parts.find((p) => p.field === "commune");
  if (communePart && communePart.res.kind === "none") ctx.unknownCommune = safeEcho(typed.commune);

  const citations: ToolCitation[] = [];
  const used: Confidence[] = [];
  const lines: string[] = [];
  const nothingFound = found.length === 0 && parts.length > 0;
  const noPlace = parts.length === 0;

  // Unknown place: ask (the chat needs the province for a local office), but still say where
  // such tasks are usually done so the person is not left with nothing.
  const typedHint = parts.map((p) => (p.res.kind === "none" ? p.res.hint : undefined)).find(Boolean);
  if ((nothingFound || noPlace) && !national) {
    const whatTyped = shownTyped(t, typed.place || typed.commune || typed.province);
    const ask: string[] = [];
    const questions: string[] = [];
    if (noPlace) questions.push(t.questions.where);
    else if (typedHint === "district") {
      const end = districtEndEntry(kb);
      ask.push(fill(t.unknown_district.no_data, { place: whatTyped }));
      if (end) {
        ask.push(fill(t.unknown_district.level_ended, { date: formatDate(end.ended) }));
        citations.push(citeSource(kb, end.source, end.confidence));
        used.push(end.confidence);
      }
      questions.push(t.questions.where_now);
    } else {
      questions.push(fill(t.questions.not_found, { place: whatTyped, count: kb.offices.provinces.length }));
    }
    ask.push(...questions);
    const offices = officesFor(kb, t, task, ctx);
    const first = offices[0];
    if (first) {
      ask.push(fill(t.usually, { task: t.tasks[task], office: first.where }));
      citations.push(first.citation);
      used.push(first.confidence);
    }
    const cits = uniqueCitations(citations);
    // Hedge on every citation before de-duplication: a repeat may carry the lower confidence.
    const hedged = needsHedge(citations);
    const question = questions[0]!;
    if (hedged) ask.push(fill(t.hedge, { confirm_with: first && first.confidence !== "V-P" ? first.where : t.confirm_with }));
    return askingResult("unknown_place", question, task, {
      offices,
      confidence: lowest(used),
      answer: { text: fitKeepingHedge(kb, ask, hedged, cits), citations: cits, hedged },
    });
  }

  // What the old name was and what replaced it.
  let oldNotice: OldNameNotice | null = null;
  if (ctx.oldName) {
    const o = ctx.oldName;
    const oc = citeSource(kb, o.source, o.confidence);
    citations.push(oc);
    used.push(o.confidence);
    const label = oldNameLabel(kb, o);
    const date = o.ended ? formatDate(o.ended) : null;
    const ended = o.level === "province" ? (date ? t.old_name.province : t.old_name.province_undated) : date ? t.old_name.other : t.old_name.other_undated;
    lines.push(fill(ended, { label, date: date ?? "" }));
    const end = districtEndEntry(kb);
    if (o.level === "district" && end && end.id !== o.id) {
      lines.push(fill(t.old_name.district_level_ended, { date: formatDate(end.ended) }));
      citations.push(citeSource(kb, end.source, end.confidence));
      used.push(end.confidence);
    }
    if (o.note) lines.push(o.note);
    oldNotice = {
      id: o.id,
      oldName: o.old_name,
      level: o.level,
      ended: o.ended ?? null,
      provinceId: o.replaced_by.province ?? null,
      communes: o.replaced_by.communes.flatMap((id) => {
        const c = kb.offices.communes.find((x) => x.id === id);
        return c ? [{ id: c.id, name: c.name }] : [];
      }),
      note: o.note ?? null,
      citation: oc,
    };
  }

  // Where the person is now (only when it matters for the task).
  if (!national && (ctx.province || ctx.commune)) {
    const where = [ctx.commune ? lowerFirst(ctx.commune.name) : null, ctx.province ? provinceLabel(kb, ctx.province) : null]
      .filter(Boolean)
      .join(", ");
    lines.push(fill(t.place_now, { place: where }));
    if (ctx.province) {
      if (ctx.province.source) citations.push(citeSource(kb, ctx.province.source, ctx.province.confidence));
      used.push(ctx.province.confidence);
    }
    if (ctx.commune) {
      used.push(ctx.commune.confidence);
      if (ctx.commune.source) citations.push(citeSource(kb, ctx.commune.source, ctx.commune.confidence));
    }
    if (ctx.unknownCommune) {
      lines.push(fill(t.unknown_commune, { commune: ctx.unknownCommune }));
    }
  }

  const offices = officesFor(kb, t, task, ctx);
  lines.push(fill(t.offices_for, { task: t.tasks[task] }));
  offices.forEach((o, i) => {
    lines.push(fill(t.office_item, { n: i + 1, office: upperFirst(o.where) }));
    citations.push(o.citation);
    used.push(o.confidence);
  });
  lines.push(t.no_contacts);

  if (task === "complaints") {
    const card = policeCard(kb);
    if (card) {
      lines.push(t.complaint_police);
      // The rule against deceiving workers; the card's next steps carry the police advice.
      const rule = citeRule(kb, "recruitment.noDeception");
      citations.push(rule);
      used.push(rule.confidence);
    }
  }
  if (!national && !ctx.province && !ctx.commune) {
    lines.push(t.tell_place);
  }

  const cits = uniqueCitations(citations);
  const hedged = needsHedge(citations);
  if (hedged) {
    const firstUnsure = offices.find((o) => o.confidence !== "V-P");
    const placeUnsure = [ctx.province?.confidence, ctx.commune?.confidence, ctx.oldName?.confidence].some(
      (c) => c !== undefined && c !== "V-P",
    );
    const who = placeUnsure || !firstUnsure ? t.confirm_with : firstUnsure.where;
    lines.push(fill(t.hedge, { confirm_with: who }));
  }

  return {
    status: "resolved",
    needsInput: false,
    question: null,
    task,
    province: ctx.province
      ? {
          id: ctx.province.id,
          name: ctx.province.name,
          label: provinceLabel(kb, ctx.province),
          kind: ctx.province.kind,
          confidence: ctx.province.confidence,
        }
      : null,
    commune: ctx.commune
      ? {
          id: ctx.commune.id,
          name: ctx.commune.name,
          provinceId: ctx.commune.province,
          confidence: ctx.commune.confidence,
          citation: ctx.commune.source ? citeSource(kb, ctx.commune.source, ctx.commune.confidence) : null,
        }
      : null,
    oldName: oldNotice,
    offices,
    candidates: [],
    confidence: lowest(used),
    answer: { text: fitKeepingHedge(kb, lines, hedged, cits), citations: cits, hedged },
  };
}

function officesFor(kb: KnowledgeBase, t: OfficeTexts, task: OfficeTask, ctx: PlaceContext): OfficeMatch[] {
  return sortOffices(kb.offices.officeTypes.filter((o) => o.handles.includes(task))).map((o) => ({
    id: o.id,
    name: o.name,
    where: officeWhere(kb, t, o, ctx),
    handles: o.handles,
    handlesText: o.handles.map((h) => t.tasks[h]),
    note: o.note ?? null,
    citation: citeSource(kb, o.source, o.confidence),
    confidence: o.confidence,
  }));
}

/** What the tool does, for a model. */
export const FIND_OFFICE_DESCRIPTION =
  "Find which office handles a task for someone going to work abroad (registering interest, loans, the Korea EPS programme, checking a company's licence, complaints…) by province, commune or old place name (districts ended in 2025, provinces merged); returns offices in order with citations, or candidate places to ask about. Never returns phone numbers or addresses.";


/**
 * findOffice: which office to ask for a task, where the person lives.
 *
 * People name their place the way they always have: "Long Biên", "TP Cao Bằng", "Hà Giang",
 * "huyện X", with or without diacritics. The 2025 reorganisation ended the district level
 * (01/07/2025) and merged provinces (12/06/2025), so an old name must not be answered as if
 * it still existed: we say plainly that it ceased and where to go now, citing the old-names
 * data. Everything comes from `knowledge/offices/`; contacts there are null (not verified),
 * so the answer says "hỏi tại …" and never prints a phone number, address or web address.
 *
 * @example
 * const r = findOffice(kb, { place: "Long Biên", task: "loans" });
 * r.status;          // "resolved"
 * r.oldName?.ended;  // "2025-07-01"
 * r.answer.text;     // "Quận Long Biên không còn từ 01/07/2025. …"
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Commune, OfficeTask, OfficeType, OldName, Province } from "../../knowledge/offices-schema.ts";
import { officeTaskSchema } from "../../knowledge/offices-schema.ts";
import type { Confidence } from "../../knowledge/schema.ts";
import { cleanUserText, fold, ruleText, toneKey } from "../../text/normalize.ts";
import { MAX_REPLY_CHARS as MAX_ANSWER_CHARS, formatDate } from "../../text/wording.ts";
import { citeRule, citeSource, needsHedge, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { policeCard, safeEcho, type ToolAnswer } from "../answer.ts";

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

export const findOfficeInputSchema = z.object({
  province: z
    .string()
    .max(100)
    .optional()
    .describe("Tỉnh, thành phố (có hoặc không dấu), ví dụ \"Cao Bằng\", \"tp hcm\", kể cả tên tỉnh cũ. / Province or city, old names accepted."),
  commune: z
    .string()
    .max(100)
    .optional()
    .describe("Xã, phường, đặc khu, ví dụ \"phường Bồ Đề\". / Commune or ward."),
  place: z
    .string()
    .max(200)
    .optional()
    .describe("Nơi ở gõ tự do, ví dụ \"Long Biên\", \"TP Cao Bằng\", \"huyện X\". / Free-text place, e.g. an old district."),
  task: officeTaskSchema.describe(
    "Việc cần làm / the task: register_interest (đăng ký muốn đi), counselling (tư vấn), direct_contract_registration (đăng ký hợp đồng tự ký), cv_certification (xác nhận sơ yếu lý lịch), loans (vay vốn), eps (EPS Hàn Quốc), licence_check (kiểm tra giấy phép công ty), complaints (khiếu nại, tố cáo), returnee_support (hỗ trợ người về nước), protection_abroad (đang ở nước ngoài cần giúp)",
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
// Wording
// ---------------------------------------------------------------------------------------

/** Every task in plain Vietnamese; a Record so a new task in the schema fails to compile here. */
export const TASK_LABELS: Record<OfficeTask, string> = {
  register_interest: "đăng ký muốn đi làm việc ở nước ngoài",
  counselling: "hỏi tư vấn, thông tin về đi làm việc ở nước ngoài",
  direct_contract_registration: "đăng ký hợp đồng tự ký với chủ nước ngoài",
  cv_certification: "xác nhận sơ yếu lý lịch",
  loans: "vay vốn đi làm việc ở nước ngoài",
  eps: "đi Hàn Quốc theo chương trình EPS",
  licence_check: "kiểm tra giấy phép của công ty đưa người đi",
  complaints: "khiếu nại, tố cáo",
  returnee_support: "được hỗ trợ khi đã về nước",
  protection_abroad: "nhờ giúp đỡ khi đang ở nước ngoài",
};

/** Tasks done by a national office or abroad: the person's place does not change the answer. */
const NATIONAL_TASKS = new Set<OfficeTask>(["eps", "licence_check", "protection_abroad"]);

/** Nearest office first: what a family can reach on foot comes before a ministry. */
const OFFICE_ORDER = [
  "commune_committee", "social_policy_bank", "employment_service_centre", "home_affairs_department",
  "eps_centre", "overseas_labour_department", "embassy",
];

/**
 * provinces.yaml has no per-entry source: its header (and card gen-34-provinces) rest the
 * 34-unit list on this resolution as a whole. The entry's own confidence is attached.
 */
const PROVINCE_LIST_SOURCE = { doc: "Nghị quyết 202/2025/QH15", locator: "toàn văn" };

const CONFIDENCE_RANK: Record<Confidence, number> = { "V-P": 2, "V-S": 1, M: 0 };

function lowest(values: Confidence[]): Confidence | null {
  if (values.length === 0) return null;
  return values.reduce((a, b) => (CONFIDENCE_RANK[b] < CONFIDENCE_RANK[a] ? b : a));
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function provinceLabel(p: Province): string {
  if (/^thành phố /i.test(p.name)) return p.name;
  return `${p.kind === "city" ? "thành phố" : "tỉnh"} ${p.name}`;
}

function oldNameLabel(o: OldName): string {
  return o.level === "province" ? `Tỉnh ${o.old_name}` : o.old_name;
}

// ---------------------------------------------------------------------------------------
// Place index
// ---------------------------------------------------------------------------------------

type PlaceEntry =
  | { kind: "province"; id: string; province: Province }
  | { kind: "commune"; id: string; commune: Commune }
  | { kind: "old_name"; id: string; oldName: OldName };

type LevelHint = "province" | "commune" | "district";

interface PlaceIndex {
  byKey: Map<string, PlaceEntry[]>;
  /** The same keys without spaces ("caobang"), for people who type words together. */
  byCompactKey: Map<string, PlaceEntry[]>;
  keys: string[];
}

/** Folded, punctuation-free key: "TP. Cao Bằng" → "tp cao bang". */
function placeKey(text: string): string {
  return ruleText(cleanUserText(text));
}

// Administrative words people put before a name; the hint says which level they meant.
const PREFIXES: Array<[string, LevelHint]> = [
  ["thanh pho", "province"], ["tp", "province"], ["tinh", "province"],
  ["thi xa", "district"], ["tx", "district"], ["quan", "district"], ["q", "district"], ["huyen", "district"], ["h", "district"],
  ["thi tran", "commune"], ["tt", "commune"], ["dac khu", "commune"], ["phuong", "commune"], ["p", "commune"], ["xa", "commune"],
];

function stripPrefix(key: string): { rest: string; hint: LevelHint | undefined } {
  for (const [prefix, hint] of PREFIXES) {
    if (key.startsWith(`${prefix} `) && key.length > prefix.length + 1) return { rest: key.slice(prefix.length + 1), hint };
  }
  return { rest: key, hint: undefined };
}

const indexCache = new WeakMap<KnowledgeBase, PlaceIndex>();

function placeIndex(kb: KnowledgeBase): PlaceIndex {
  const cached = indexCache.get(kb);
  if (cached) return cached;
  const byKey = new Map<string, PlaceEntry[]>();
  const add = (text: string, entry: PlaceEntry): void => {
    const key = placeKey(text);
    if (!key) return;
    const list = byKey.get(key) ?? [];
    if (!list.some((e) => e.kind === entry.kind && e.id === entry.id)) list.push(entry);
    byKey.set(key, list);
  };
  for (const p of kb.offices.provinces) {
    const entry: PlaceEntry = { kind: "province", id: p.id, province: p };
    for (const t of [p.name, provinceLabel(p), ...p.aliases]) add(t, entry);
  }
  for (const c of kb.offices.communes) {
    const entry: PlaceEntry = { kind: "commune", id: c.id, commune: c };
    for (const t of [c.name, ...c.aliases]) add(t, entry);
  }
  for (const o of kb.offices.oldNames) {
    const entry: PlaceEntry = { kind: "old_name", id: o.id, oldName: o };
    for (const t of [o.old_name, oldNameLabel(o), ...o.aliases]) add(t, entry);
  }
  const byCompactKey = new Map<string, PlaceEntry[]>();
  for (const [key, entries] of byKey) {
    const compact = key.replace(/ /g, "");
    byCompactKey.set(compact, [...(byCompactKey.get(compact) ?? []), ...entries]);
  }
  const index = { byKey, byCompactKey, keys: [...byKey.keys()] };
  indexCache.set(kb, index);
  return index;
}

function entryLevel(e: PlaceEntry): LevelHint {
  if (e.kind === "province") return "province";
  if (e.kind === "commune") return "commune";
  return e.oldName.level === "province" ? "province" : e.oldName.level === "commune" ? "commune" : "district";
}

function entryProvinceId(e: PlaceEntry): string | null {
  if (e.kind === "province") return e.id;
  if (e.kind === "commune") return e.commune.province;
  return e.oldName.replaced_by.province ?? null;
}

function uniqueEntries(entries: PlaceEntry[]): PlaceEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = `${e.kind}:${e.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** When one key names several things, keep those at the level the person hinted at. */
function preferLevel(entries: PlaceEntry[], hint: LevelHint | undefined): PlaceEntry[] {
  if (!hint || entries.length < 2) return entries;
  const same = entries.filter((e) => entryLevel(e) === hint);
  return same.length > 0 ? same : entries;
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

type MatchKind = "exact" | "prefix" | "compact" | "contains" | "fuzzy" | "partial";

type TextResolution =
  | { kind: "found"; entry: PlaceEntry; matchedBy: MatchKind }
  | { kind: "ambiguous"; entries: PlaceEntry[] }
  | { kind: "none"; hint: LevelHint | undefined };

/** One piece of typed text → the place it names, the places it could name, or nothing. */
function resolveText(index: PlaceIndex, text: string, fieldHint: LevelHint | undefined): TextResolution {
  const key = placeKey(text);
  const { rest, hint: typedHint } = stripPrefix(key);
  const hint = typedHint ?? fieldHint;
  const decide = (entries: PlaceEntry[], matchedBy: MatchKind): TextResolution | undefined => {
    const list = preferLevel(uniqueEntries(entries), hint);
    if (list.length === 1) return { kind: "found", entry: list[0]!, matchedBy };
    if (list.length > 1) return { kind: "ambiguous", entries: list };
    return undefined;
  };
  if (!key) return { kind: "none", hint };

  // 1. The whole text is a known name or alias ("tp cao bang" is the old city, not the province).
  const exactKeys = [key];
  if (fieldHint === "commune") exactKeys.push(`phuong ${key}`, `xa ${key}`);
  const exact = decide(exactKeys.flatMap((k) => index.byKey.get(k) ?? []), "exact");
  if (exact) return exact;

  // 2. Without the administrative word ("huyện Long Biên" → "long bien").
  if (rest !== key) {
    const r = decide(index.byKey.get(rest) ?? [], "prefix");
    if (r) return r;
  }

  // 3. Words typed together ("caobang", "hanoi").
  const compact = decide(index.byCompactKey.get(rest.replace(/ /g, "")) ?? [], "compact");
  if (compact) return compact;

  // 4. Names inside a longer text ("phường Bồ Đề, Hà Nội"): the most specific consistent one.
  const padded = ` ${key} `;
  const hits = index.keys
    .filter((k) => k.length >= 3 && padded.includes(` ${k} `))
    .map((k) => ({ key: k, start: padded.indexOf(` ${k} `) }));
  // A hit inside a longer hit is part of it ("long bien" in "phuong long bien").
  const outer = hits.filter(
    (h) => !hits.some((o) => o !== h && o.key.length > h.key.length && o.start <= h.start && o.start + o.key.length >= h.start + h.key.length),
  );
  if (outer.length > 0) {
    const entries = uniqueEntries(outer.flatMap((h) => index.byKey.get(h.key) ?? []));
    const specific = pickMostSpecific(entries);
    if (specific) return { kind: "found", entry: specific, matchedBy: "contains" };
    const r = decide(entries, "contains");
    if (r) return r;
  }

  // 5. One slip of the keyboard ("nghe ann", "thai nguyn").
  if (rest.length >= 5) {
    const near = index.keys.filter((k) => k.length >= 5 && editDistanceAtMostOne(k, rest));
    const r = decide(near.flatMap((k) => index.byKey.get(k) ?? []), "fuzzy");
    if (r) return r;
  }

  // 6. Part of a name ("Quảng", "Bình"): every name containing all typed words → ask which.
  const words = rest.split(" ");
  if (rest.length >= 3) {
    const partial = uniqueEntries(
      index.keys
        .filter((k) => {
          const kw = k.split(" ");
          return words.every((w) => kw.includes(w)) && kw.length > words.length;
        })
        .flatMap((k) => index.byKey.get(k) ?? []),
    );
    // Old names of offices (Sở, Bộ…) are not places: leave them out of "which place?".
    const places = preferLevel(
      accentFilter(
        partial.filter((e) => e.kind !== "old_name" || ["province", "district", "commune"].includes(e.oldName.level)),
        text,
      ),
      hint,
    );
    if (places.length === 1) return { kind: "found", entry: places[0]!, matchedBy: "partial" };
    if (places.length > 1) return { kind: "ambiguous", entries: places.slice(0, 8) };
  }
  return { kind: "none", hint };
}

function entryName(e: PlaceEntry): string {
  return e.kind === "province" ? e.province.name : e.kind === "commune" ? e.commune.name : e.oldName.old_name;
}

/**
 * Typed with diacritics, a word says more than its folded key: "Quảng" is not the "Quang"
 * of Tuyên Quang. Keeps the entries whose name has every accented word typed (tone
 * placement aside); keeps all when none would be left.
 */
function accentFilter(entries: PlaceEntry[], typed: string): PlaceEntry[] {
  const accented = (cleanUserText(typed).toLowerCase().match(/[\p{L}]+/gu) ?? []).filter((w) => fold(w) !== w);
  if (accented.length === 0) return entries;
  const kept = entries.filter((e) => {
    const nameKeys = new Set((entryName(e).toLowerCase().match(/[\p{L}]+/gu) ?? []).map(toneKey));
    return accented.every((w) => nameKeys.has(toneKey(w)) || PREFIXES.some(([p]) => p === fold(w)));
  });
  return kept.length > 0 ? kept : entries;
}

/**
 * Among places found in one text, the most specific one when the others only confirm it:
 * "phường Bồ Đề, Hà Nội" → the ward (its province is Hà Nội). Undefined when they disagree.
 */
function pickMostSpecific(entries: PlaceEntry[]): PlaceEntry | undefined {
  if (entries.length === 1) return entries[0];
  const rank = (e: PlaceEntry): number => ({ commune: 0, district: 1, province: 2 })[entryLevel(e)];
  const sorted = [...entries].sort((a, b) => rank(a) - rank(b));
  const best = sorted[0]!;
  if (sorted.filter((e) => rank(e) === rank(best)).length > 1) return undefined;
  const provinceId = entryProvinceId(best);
  const others = sorted.slice(1);
  const consistent = others.every((e) => {
    const p = entryProvinceId(e);
    return p === null || p === provinceId;
  });
  return consistent ? best : undefined;
}

// ---------------------------------------------------------------------------------------
// Citations
// ---------------------------------------------------------------------------------------

/** The general "district level ended 01/07/2025" entry (Phòng LĐTBXH cấp huyện), if present. */
function districtEndEntry(kb: KnowledgeBase): OldName | undefined {
  return kb.offices.oldNames.find((o) => o.level === "district" && !o.replaced_by.province && o.ended === "2025-07-01");
}

// ---------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------

function sortOffices(types: OfficeType[]): OfficeType[] {
  const pos = (id: string): number => {
    const i = OFFICE_ORDER.indexOf(id);
    return i === -1 ? OFFICE_ORDER.length : i;
  };
  return [...types].sort((a, b) => pos(a.id) - pos(b.id));
}

interface PlaceContext {
  province: Province | null;
  commune: Commune | null;
  oldName: OldName | null;
  /** Commune the person typed that we have no data for (shown back, sanitised). */
  unknownCommune: string | null;
}

function officeWhere(kb: KnowledgeBase, office: OfficeType, ctx: PlaceContext): string {
  const inProvince = ctx.province ? ` (${provinceLabel(ctx.province)})` : "";
  switch (office.id) {
    case "commune_committee": {
      if (ctx.commune) return `UBND ${lowerFirst(ctx.commune.name)}`;
      const communes = (ctx.oldName?.replaced_by.communes ?? [])
        .map((id) => kb.offices.communes.find((c) => c.id === id)?.name)
        .filter((n): n is string => !!n)
        .map((n) => n.replace(/^(Phường|Xã|Đặc khu) /, ""));
      if (communes.length > 0) return `UBND phường, xã nơi bạn ở (ví dụ ${communes.join(", ")})`;
      return `UBND xã, phường nơi bạn ở${inProvince}`;
    }
    case "home_affairs_department":
      return ctx.province ? `Sở Nội vụ ${provinceLabel(ctx.province)}` : "Sở Nội vụ tỉnh, thành phố nơi bạn ở";
    case "employment_service_centre":
      return ctx.province ? `Trung tâm Dịch vụ việc làm ${provinceLabel(ctx.province)}` : "Trung tâm Dịch vụ việc làm của tỉnh, thành phố nơi bạn ở";
    case "social_policy_bank":
      return `Phòng giao dịch Ngân hàng Chính sách xã hội nơi bạn cư trú${inProvince}`;
    case "embassy":
      return `${office.name} ở nước bạn đang làm việc`;
    default:
      return office.name;
  }
}

function hedgeLine(who: string): string {
  return `Một số thông tin trên chưa được đối chiếu đủ với văn bản gốc. Hãy hỏi lại ${who} cho chắc.`;
}

function quote(s: string): string {
  return s === "nơi bạn gõ" ? s : `“${s}”`;
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

function candidateOf(kb: KnowledgeBase, e: PlaceEntry): PlaceCandidate {
  const provinceId = entryProvinceId(e);
  const province = provinceId ? kb.offices.provinces.find((p) => p.id === provinceId) : undefined;
  let label: string;
  if (e.kind === "province") label = upperFirst(provinceLabel(e.province));
  else if (e.kind === "commune") label = `${e.commune.name}${province ? `, ${provinceLabel(province)}` : ""}`;
  else label = `${oldNameLabel(e.oldName)} (tên cũ${province ? `, nay thuộc ${provinceLabel(province)}` : ""})`;
  return { kind: e.kind, id: e.id, label, provinceId };
}

/** Cuts whole lines from the end (keeping the first) until the text fits. */
function fit(lines: string[], max = MAX_ANSWER_CHARS): string {
  const out = [...lines];
  while (out.join("\n").length > max && out.length > 1) out.splice(out.length - 2, 1);
  const text = out.join("\n");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Offices for `input.task` at the person's place. Never throws on bad input: it returns
 * `status: "invalid_input"` with a Vietnamese question instead.
 */
export function findOffice(kb: KnowledgeBase, input: FindOfficeInput): FindOfficeResult {
  const parsed = findOfficeInputSchema.safeParse(input);
  if (!parsed.success) {
    const onTask = parsed.error.issues.some((i) => i.path[0] === "task");
    if (onTask) {
      return invalid(
        "Bạn cần tìm nơi để làm việc gì? Ví dụ: đăng ký muốn đi, vay vốn, EPS đi Hàn Quốc, kiểm tra giấy phép công ty, khiếu nại.",
      );
    }
    return invalid("Tên nơi ở quá dài hoặc chưa đúng. Hãy gõ tên tỉnh, thành phố và xã, phường nơi bạn ở.");
  }
  const { task } = parsed.data;
  const typed = {
    province: parsed.data.province ? cleanUserText(parsed.data.province) : "",
    commune: parsed.data.commune ? cleanUserText(parsed.data.commune) : "",
    place: parsed.data.place ? cleanUserText(parsed.data.place) : "",
  };
  const index = placeIndex(kb);
  const national = NATIONAL_TASKS.has(task);

  const parts: Array<{ field: keyof typeof typed; res: TextResolution }> = [];
  if (typed.province) parts.push({ field: "province", res: resolveText(index, typed.province, "province") });
  if (typed.commune) parts.push({ field: "commune", res: resolveText(index, typed.commune, "commune") });
  if (typed.place) parts.push({ field: "place", res: resolveText(index, typed.place, undefined) });

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
    const candidates = askAmong.map((e) => candidateOf(kb, e));
    const question = `Bạn ở nơi nào? Tôi thấy nhiều nơi có thể đúng: ${candidates.map((c) => c.label).join("; ")}. Hãy gõ lại tên tỉnh, thành phố và xã, phường.`;
    return {
      ...invalid(fit([question]), task),
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
    const whatTyped = safeEcho(typed.place || typed.commune || typed.province) || "nơi bạn gõ";
    const ask: string[] = [];
    if (noPlace) ask.push("Bạn đang ở tỉnh, thành phố nào, xã, phường nào?");
    else if (typedHint === "district") {
      const end = districtEndEntry(kb);
      ask.push(`Tôi chưa có dữ liệu về ${quote(whatTyped)}.`);
      if (end?.ended) {
        ask.push(`Cấp quận, huyện đã thôi hoạt động từ ${formatDate(end.ended)}.`);
        citations.push(citeSource(kb, end.source, end.confidence));
        used.push(end.confidence);
      }
      ask.push("Bạn ở tỉnh, thành phố nào, xã, phường nào hiện nay?");
    } else {
      ask.push(`Tôi chưa tìm thấy ${quote(whatTyped)} trong danh sách 34 tỉnh, thành phố và các xã, phường chúng tôi có. Bạn đang ở tỉnh, thành phố nào?`);
    }
    const offices = officesFor(kb, task, ctx);
    const first = offices[0];
    if (first) {
      ask.push(`Thường thì việc ${TASK_LABELS[task]} hỏi tại ${first.where}.`);
      citations.push(first.citation);
      used.push(first.confidence);
    }
    const cits = uniqueCitations(citations);
    // Hedge on every citation before de-duplication: a repeat may carry the lower confidence.
    const hedged = needsHedge(citations);
    const question = ask.find((l) => l.endsWith("?")) ?? ask[0]!;
    if (hedged) ask.push(hedgeLine(first && first.confidence !== "V-P" ? first.where : "UBND xã, phường nơi bạn ở"));
    return askingResult("unknown_place", question, task, {
      offices,
      confidence: lowest(used),
      answer: { text: fitKeepingHedge(ask, hedged), citations: cits, hedged },
    });
  }

  // What the old name was and what replaced it.
  let oldNotice: OldNameNotice | null = null;
  if (ctx.oldName) {
    const o = ctx.oldName;
    const oc = citeSource(kb, o.source, o.confidence);
    citations.push(oc);
    used.push(o.confidence);
    const label = oldNameLabel(o);
    const when = o.ended ? formatDate(o.ended) : null;
    if (o.level === "province") lines.push(`${label} không còn là tỉnh riêng${when ? ` từ ${when}` : ""}.`);
    else lines.push(`${label} không còn${when ? ` từ ${when}` : ""}.`);
    const end = districtEndEntry(kb);
    if (o.level === "district" && end && end.id !== o.id && end.ended) {
      lines.push(`Từ ${formatDate(end.ended)}, cấp quận, huyện thôi hoạt động.`);
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
    const where = [ctx.commune ? lowerFirst(ctx.commune.name) : null, ctx.province ? provinceLabel(ctx.province) : null]
      .filter(Boolean)
      .join(", ");
    lines.push(`Nơi bạn ở hiện nay: ${where}.`);
    if (ctx.province) {
      citations.push(citeSource(kb, PROVINCE_LIST_SOURCE, ctx.province.confidence));
      used.push(ctx.province.confidence);
    }
    if (ctx.commune) {
      used.push(ctx.commune.confidence);
      if (ctx.commune.source) citations.push(citeSource(kb, ctx.commune.source, ctx.commune.confidence));
    }
    if (ctx.unknownCommune) {
      lines.push(`Chúng tôi chưa có dữ liệu về xã, phường “${ctx.unknownCommune}”.`);
    }
  }

  const offices = officesFor(kb, task, ctx);
  lines.push(`Việc ${TASK_LABELS[task]}, hỏi tại:`);
  offices.forEach((o, i) => {
    lines.push(`${i + 1}. ${upperFirst(o.where)}.`);
    citations.push(o.citation);
    used.push(o.confidence);
  });
  lines.push("Chúng tôi chưa có số điện thoại, địa chỉ đã kiểm chứng của các nơi này. Hãy đến hỏi trực tiếp.");

  if (task === "complaints") {
    const card = policeCard(kb);
    if (card) {
      lines.push("Nếu bị lừa lấy tiền, báo thêm Công an xã, phường nơi bạn ở, và giữ lại tin nhắn, biên nhận.");
      // The rule against deceiving workers; the card's next steps carry the police advice.
      const rule = citeRule(kb, "recruitment.noDeception");
      citations.push(rule);
      used.push(rule.confidence);
    }
  }
  if (!national && !ctx.province && !ctx.commune) {
    lines.push("Cho tôi biết tỉnh, xã nơi bạn ở để chỉ rõ hơn.");
  }

  const cits = uniqueCitations(citations);
  const hedged = needsHedge(citations);
  if (hedged) {
    const firstUnsure = offices.find((o) => o.confidence !== "V-P");
    const placeUnsure = [ctx.province?.confidence, ctx.commune?.confidence, ctx.oldName?.confidence].some(
      (c) => c !== undefined && c !== "V-P",
    );
    const who = placeUnsure || !firstUnsure ? "UBND xã, phường nơi bạn ở" : firstUnsure.where;
    lines.push(hedgeLine(who));
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
          label: provinceLabel(ctx.province),
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
    answer: { text: fitKeepingHedge(lines, hedged), citations: cits, hedged },
  };
}

/** Fits the text but never drops the closing hedge line: it is what makes a V-S/M answer honest. */
function fitKeepingHedge(lines: string[], hedged: boolean): string {
  if (!hedged) return fit(lines);
  const hedge = lines[lines.length - 1]!;
  const body = fit(lines.slice(0, -1), MAX_ANSWER_CHARS - hedge.length - 1);
  return `${body}\n${hedge}`;
}

function officesFor(kb: KnowledgeBase, task: OfficeTask, ctx: PlaceContext): OfficeMatch[] {
  return sortOffices(kb.offices.officeTypes.filter((o) => o.handles.includes(task))).map((o) => ({
    id: o.id,
    name: o.name,
    where: officeWhere(kb, o, ctx),
    handles: o.handles,
    handlesText: o.handles.map((t) => TASK_LABELS[t]),
    note: o.note ?? null,
    citation: citeSource(kb, o.source, o.confidence),
    confidence: o.confidence,
  }));
}

/** The LangChain tool: same function, zod-validated input, the result as a JSON string. */
export function findOfficeTool(kb: KnowledgeBase) {
  // A JSON string, like the other tools: what a chat model reads as the tool's message.
  return tool(async (input) => JSON.stringify(findOffice(kb, input)), {
    name: "find_office",
    description:
      "Tìm cơ quan cần hỏi cho một việc (đăng ký đi, vay vốn, EPS, kiểm tra giấy phép, khiếu nại…) theo nơi ở, hiểu cả tên cũ (quận, huyện đã bỏ từ 01/07/2025, tỉnh đã sáp nhập). " +
      "Find which office handles a task for someone working abroad, by province/commune/old place name; returns offices in order with citations, or candidates to ask about. Never returns phone numbers or addresses.",
    schema: findOfficeInputSchema,
  });
}

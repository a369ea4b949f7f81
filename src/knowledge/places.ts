/**
 * The one place recogniser: provinces, wards and communes, and the old districts and
 * provinces that ended in 2025, recognised in what people type — from the names in
 * knowledge/offices/ and the administrative words of knowledge/vocabulary/places.yaml.
 *
 * - `resolvePlace` reads one typed place ("Long Biên", "TP Cao Bằng", "huyện X", "caobang",
 *   "nghe ann") as the place it names, the places it could name, or nothing: the office
 *   skill and the registration form (through findOffice) answer with it.
 * - `placesIn` lists the place names a whole message mentions: retrieval uses them so a
 *   question about Long Biên is not answered by a passage about Lạng Sơn, and the office
 *   skill takes the first as the place of a "where do I go" question.
 *
 * @example
 * placesIn(kb, "Ở quận Long Biên thì vay vốn ở đâu?");       // ["long bien"]
 * resolvePlace(kb, "q. long bien", undefined);                // { kind: "found", entry: { kind: "old_name", id: "long-bien-district", … }, … }
 * provinceLabel(kb, province);                                // "tỉnh Cao Bằng", "thành phố Hà Nội", "Thành phố Hồ Chí Minh"
 */
import { z } from "zod";
import type { KnowledgeBase } from "./load.ts";
import type { Commune, OldName, Province } from "./offices-schema.ts";
import { defineVocabulary } from "./texts.ts";
import { withinOneEdit } from "../text/edit-distance.ts";
import { cleanUserText, fold, ruleText, toneKey } from "../text/normalize.ts";
import { upperFirst } from "../text/wording.ts";

/** The level a person means: a province or city, an (old) district, a ward or commune. */
export type PlaceLevel = "province" | "district" | "commune";

const words = z.array(z.string().min(1)).min(1);

/** `knowledge/vocabulary/places.yaml`: the words of place names. */
export const placeVocabulary = defineVocabulary(
  "places",
  z.object({
    kind_words: z.object({ province: words, district: words, commune: words }),
    commune_field: words,
    official: z.object({ city: z.string().min(1), province: z.string().min(1) }),
  }),
);

/** A kind word as folded words, with the level it hints at. */
interface KindWord {
  words: string[];
  /** The folded words joined ("thanh pho"). */
  key: string;
  level: PlaceLevel;
}

const kindWordsCache = new WeakMap<KnowledgeBase, KindWord[]>();

/** The administrative words, longest first (so "thị xã" is tried before any one-word word). */
function kindWords(kb: KnowledgeBase): KindWord[] {
  let list = kindWordsCache.get(kb);
  if (list) return list;
  const vocab = placeVocabulary(kb).kind_words;
  list = (["province", "district", "commune"] as const)
    .flatMap((level) => vocab[level].map((w) => ({ key: ruleText(w), level })))
    .filter((w) => w.key !== "")
    .map((w) => ({ ...w, words: w.key.split(" ") }))
    .sort((a, b) => b.words.length - a.words.length || b.key.length - a.key.length);
  kindWordsCache.set(kb, list);
  return list;
}

/** The kind word `words` (folded) start with, when a name follows it. */
function leadingKindWord(kb: KnowledgeBase, folded: string[]): KindWord | undefined {
  return kindWords(kb).find((k) => folded.length > k.words.length && k.words.every((w, i) => folded[i] === w));
}

/** Folded, punctuation-free key: "TP. Cao Bằng" → "tp cao bang". */
export function placeKey(text: string): string {
  return ruleText(cleanUserText(text));
}

/** A key without its administrative word, and the level that word hints at: "huyen long bien" → "long bien", district. */
function stripKindWord(kb: KnowledgeBase, key: string): { rest: string; hint: PlaceLevel | undefined } {
  const parts = key.split(" ");
  const kind = leadingKindWord(kb, parts);
  return kind ? { rest: parts.slice(kind.words.length).join(" "), hint: kind.level } : { rest: key, hint: undefined };
}

/** An official name without its administrative word, diacritics kept: "Phường Bồ Đề" → "Bồ Đề". */
export function bareName(kb: KnowledgeBase, name: string): string {
  const parts = name.split(/\s+/);
  const kind = leadingKindWord(kb, parts.map((p) => ruleText(p)));
  return kind ? parts.slice(kind.words.length).join(" ") : name;
}

/** A province as answers write it: "tỉnh Cao Bằng", "thành phố Hà Nội"; "Thành phố Hồ Chí Minh" as it is. */
export function provinceLabel(kb: KnowledgeBase, p: Province): string {
  const vocabulary = placeVocabulary(kb);
  let labels = provinceLabels.get(vocabulary);
  if (!labels) provinceLabels.set(vocabulary, (labels = new WeakMap()));
  let label = labels.get(p);
  if (label === undefined) {
    const official = vocabulary.official;
    const name = ruleText(p.name);
    const startsWithOne = [official.city, official.province].some((w) => name.startsWith(`${ruleText(w)} `));
    label = startsWithOne ? p.name : `${official[p.kind]} ${p.name}`;
    labels.set(p, label);
  }
  return label;
}

/** Labels per place vocabulary and province: written once, read for every office line. */
const provinceLabels = new WeakMap<object, WeakMap<Province, string>>();

/** An old unit as answers write it: an old province with its word ("Tỉnh Hà Giang"), others by their name. */
export function oldNameLabel(kb: KnowledgeBase, o: OldName): string {
  return o.level === "province" ? upperFirst(`${placeVocabulary(kb).official.province} ${o.old_name}`) : o.old_name;
}

// ---------------------------------------------------------------------------------------
// The index of typed names
// ---------------------------------------------------------------------------------------

export type PlaceEntry =
  | { kind: "province"; id: string; province: Province }
  | { kind: "commune"; id: string; commune: Commune }
  | { kind: "old_name"; id: string; oldName: OldName };

interface PlaceIndex {
  byKey: Map<string, PlaceEntry[]>;
  /** The same keys without spaces ("caobang"), for people who type words together. */
  byCompactKey: Map<string, PlaceEntry[]>;
  keys: string[];
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
    for (const t of [p.name, provinceLabel(kb, p), ...p.aliases]) add(t, entry);
  }
  for (const c of kb.offices.communes) {
    const entry: PlaceEntry = { kind: "commune", id: c.id, commune: c };
    for (const t of [c.name, ...c.aliases]) add(t, entry);
  }
  for (const o of kb.offices.oldNames) {
    const entry: PlaceEntry = { kind: "old_name", id: o.id, oldName: o };
    for (const t of [o.old_name, oldNameLabel(kb, o), ...o.aliases]) add(t, entry);
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

/** The level of a place: old names of offices (Sở, Bộ…) count as districts here. */
function entryLevel(e: PlaceEntry): PlaceLevel {
  if (e.kind === "province") return "province";
  if (e.kind === "commune") return "commune";
  return e.oldName.level === "province" ? "province" : e.oldName.level === "commune" ? "commune" : "district";
}

/** The province a place is in today (null for an old name whose area is not one province). */
export function entryProvinceId(e: PlaceEntry): string | null {
  if (e.kind === "province") return e.id;
  if (e.kind === "commune") return e.commune.province;
  return e.oldName.replaced_by.province ?? null;
}

function entryName(e: PlaceEntry): string {
  return e.kind === "province" ? e.province.name : e.kind === "commune" ? e.commune.name : e.oldName.old_name;
}

export function uniqueEntries(entries: PlaceEntry[]): PlaceEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = `${e.kind}:${e.id}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** When one key names several things, keep those at the level the person hinted at. */
function preferLevel(entries: PlaceEntry[], hint: PlaceLevel | undefined): PlaceEntry[] {
  if (!hint || entries.length < 2) return entries;
  const same = entries.filter((e) => entryLevel(e) === hint);
  return same.length > 0 ? same : entries;
}

export type MatchKind = "exact" | "prefix" | "compact" | "contains" | "fuzzy" | "partial";

export type PlaceResolution =
  | { kind: "found"; entry: PlaceEntry; matchedBy: MatchKind }
  | { kind: "ambiguous"; entries: PlaceEntry[] }
  | { kind: "none"; hint: PlaceLevel | undefined };

/**
 * One piece of typed text → the place it names, the places it could name, or nothing.
 * `fieldHint` is the level the field asked for (a province field, a commune field).
 */
export function resolvePlace(kb: KnowledgeBase, text: string, fieldHint: PlaceLevel | undefined): PlaceResolution {
  const index = placeIndex(kb);
  const key = placeKey(text);
  const { rest, hint: typedHint } = stripKindWord(kb, key);
  const hint = typedHint ?? fieldHint;
  const decide = (entries: PlaceEntry[], matchedBy: MatchKind): PlaceResolution | undefined => {
    const list = preferLevel(uniqueEntries(entries), hint);
    if (list.length === 1) return { kind: "found", entry: list[0]!, matchedBy };
    if (list.length > 1) return { kind: "ambiguous", entries: list };
    return undefined;
  };
  if (!key) return { kind: "none", hint };

  // 1. The whole text is a known name or alias ("tp cao bang" is the old city, not the province).
  const exactKeys = [key];
  if (fieldHint === "commune") {
    // A commune field: the name may be typed without its word ("Bồ Đề" for "phường Bồ Đề").
    for (const w of placeVocabulary(kb).commune_field) exactKeys.push(`${ruleText(w)} ${key}`);
  }
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
    const near = index.keys.filter((k) => k.length >= 5 && withinOneEdit(k, rest));
    const r = decide(near.flatMap((k) => index.byKey.get(k) ?? []), "fuzzy");
    if (r) return r;
  }

  // 6. Part of a name ("Quảng", "Bình"): every name containing all typed words → ask which.
  const typedWords = rest.split(" ");
  if (rest.length >= 3) {
    const partial = uniqueEntries(
      index.keys
        .filter((k) => {
          const kw = k.split(" ");
          return typedWords.every((w) => kw.includes(w)) && kw.length > typedWords.length;
        })
        .flatMap((k) => index.byKey.get(k) ?? []),
    );
    // Old names of offices (Sở, Bộ…) are not places: leave them out of "which place?".
    const places = preferLevel(
      accentFilter(
        kb,
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

/**
 * Typed with diacritics, a word says more than its folded key: "Quảng" is not the "Quang"
 * of Tuyên Quang. Keeps the entries whose name has every accented word typed (tone
 * placement aside; a one-word administrative word is not part of the name); keeps all
 * when none would be left.
 */
function accentFilter(kb: KnowledgeBase, entries: PlaceEntry[], typed: string): PlaceEntry[] {
  const accented = (cleanUserText(typed).toLowerCase().match(/[\p{L}]+/gu) ?? []).filter((w) => fold(w) !== w);
  if (accented.length === 0) return entries;
  const kinds = kindWords(kb);
  const kept = entries.filter((e) => {
    const nameKeys = new Set((entryName(e).toLowerCase().match(/[\p{L}]+/gu) ?? []).map(toneKey));
    return accented.every((w) => nameKeys.has(toneKey(w)) || kinds.some((k) => k.key === fold(w)));
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
// Names in a message
// ---------------------------------------------------------------------------------------

const namesCache = new WeakMap<KnowledgeBase, string[]>();

/** Folded place names of two syllables or more ("long bien", "lang son"): short aliases ("hn") are too ambiguous inside a sentence. */
function placeNames(kb: KnowledgeBase): string[] {
  let names = namesCache.get(kb);
  if (names) return names;
  const { offices } = kb;
  const all = [
    ...offices.provinces.flatMap((p) => [p.name, ...p.aliases]),
    ...offices.communes.map((c) => bareName(kb, c.name)),
    ...offices.oldNames.filter((o) => o.level === "district" || o.level === "province").map((o) => bareName(kb, o.old_name)),
  ];
  names = [...new Set(all.map((n) => fold(n).trim()).filter((n) => n.includes(" ")))];
  namesCache.set(kb, names);
  return names;
}

/** Folded names of the places a message mentions, in knowledge order. */
export function placesIn(kb: KnowledgeBase, text: string): string[] {
  const f = ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, " ")} `;
  return placeNames(kb).filter((p) => f.includes(` ${p} `));
}

/**
 * Places people name in a message — provinces, wards and communes, and the old districts
 * and provinces that ended in 2025 — recognised from knowledge/offices/. The office skill
 * resolves a typed place to what exists today; retrieval uses the names a question
 * mentions so a question about Long Biên is not answered by a passage about Lạng Sơn.
 *
 * @example
 * placesIn(kb, "Ở quận Long Biên thì vay vốn ở đâu?"); // ["long bien"]
 */
import type { KnowledgeBase } from "./load.ts";
import { fold } from "../text/normalize.ts";

const namesCache = new WeakMap<KnowledgeBase, string[]>();

/** Folded place names of two syllables or more ("long bien", "lang son"): short aliases ("hn") are too ambiguous inside a sentence. */
function placeNames(kb: KnowledgeBase): string[] {
  let names = namesCache.get(kb);
  if (names) return names;
  const { offices } = kb;
  const all = [
    ...offices.provinces.flatMap((p) => [p.name, ...p.aliases]),
    ...offices.communes.map((c) => c.name.replace(/^(phường|xã|đặc khu)\s+/i, "")),
    ...offices.oldNames.filter((o) => o.level === "district" || o.level === "province").map((o) => o.old_name.replace(/^(quận|huyện|thị xã|thành phố|tỉnh)\s+/i, "")),
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

/**
 * Whole-knowledge checks beyond the per-file schemas: citations point at known documents,
 * no unverified phone numbers or web addresses, successors exist, every amount a card
 * states is a figure in `knowledge/facts/`, and every listed question finds its own card.
 * `npm run knowledge:check` prints the result and writes `knowledge/COVERAGE.md`;
 * `npm test` runs the same checks.
 */
import type { Fact } from "./schema.ts";
import { TOPICS } from "./schema.ts";
import type { Card, KnowledgeBase } from "./load.ts";
import { HOTLINE_RE, PHONE_RE, statedAmounts, URL_RE, type StatedAmount } from "../text/figures.ts";

export { statedAmounts, type StatedAmount };

export interface CheckResult {
  errors: string[];
  cardCount: number;
  byTopic: Map<string, string[]>;
  byConfidence: Map<string, number>;
}

function factFamily(f: Fact): StatedAmount["family"] | undefined {
  if (f.unit === "months_salary" || f.unit === "months_salary_per_12") return "months_salary";
  if (["VND", "USD", "TWD", "JPY", "AUD", "MOP"].includes(f.unit)) return f.unit as StatedAmount["family"];
  return undefined;
}

/** Checks that every amount a card states is a figure in facts/ (same unit family). */
export function cardFactErrors(card: Card, facts: Fact[]): string[] {
  const known = new Set(facts.map((f) => `${factFamily(f)}:${f.value}`));
  const ids = new Set(facts.map((f) => f.id));
  const errors: string[] = [];
  for (const id of card.meta.facts) if (!ids.has(id)) errors.push(`${card.file}: facts: unknown fact id "${id}"`);
  // Only our own sentences: the body, not the questions people type.
  const stated = statedAmounts(card.body);
  for (const a of stated) {
    if (!known.has(`${a.family}:${a.value}`)) {
      errors.push(`${card.file}: states "${a.text}" but no figure in knowledge/facts has ${a.value} ${a.family}`);
    }
  }
  for (const id of card.meta.facts) {
    const fact = facts.find((f) => f.id === id);
    const family = fact && factFamily(fact);
    if (fact && family && !stated.some((a) => a.family === family && a.value === fact.value)) {
      errors.push(`${card.file}: lists fact "${id}" (${fact.value} ${fact.unit}) but does not state it`);
    }
  }
  return errors;
}

/** Phone numbers and web addresses in `text` that are not in the verified contact list. */
export function unverifiedContacts(text: string, allowed: Set<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(PHONE_RE)) if (!allowed.has(m[0].replace(/\D/g, ""))) found.push(m[0]);
  for (const m of text.matchAll(HOTLINE_RE)) {
    const digits = m[1]!.replace(/\D/g, "");
    // Full phone numbers are caught above; this catches short hotlines ("tổng đài 1900 1234").
    if (digits.length >= 3 && digits.length < 9 && !allowed.has(digits)) found.push(m[0].trim());
  }
  for (const m of text.matchAll(URL_RE)) if (!allowed.has(m[0].toLowerCase())) found.push(m[0]);
  return found;
}

/**
 * Retrieval for the "every card question finds its card" check: the keys of the top units
 * for a question ("card:<id>" for cards). Given by the caller, so the knowledge layer does
 * not depend on retrieval.
 */
export type RetrieveKeys = (question: string, k: number) => Promise<string[]>;

export async function checkKnowledge(kb: KnowledgeBase, retrieve?: RetrieveKeys): Promise<CheckResult> {
  const errors: string[] = [];
  const cardIds = new Set(kb.cards.map((c) => c.meta.id));
  const allowed = new Set(kb.contacts.map((c) => (c.kind === "phone" ? c.value.replace(/\D/g, "") : c.value.toLowerCase())));

  for (const card of kb.cards) {
    for (const s of card.meta.sources) {
      if (!kb.documents.has(s.doc)) {
        errors.push(`${card.file}: sources: "${s.doc}" is not in knowledge/documents.yaml or sources/ (use the canonical name)`);
      }
    }
    if (card.meta.superseded_by && !cardIds.has(card.meta.superseded_by)) {
      errors.push(`${card.file}: superseded_by: no card "${card.meta.superseded_by}"`);
    }
    for (const c of unverifiedContacts(`${card.body}\n${card.meta.title}`, allowed)) {
      errors.push(`${card.file}: unverified contact "${c}" (add it to knowledge/contacts.yaml only if verified)`);
    }
    errors.push(...cardFactErrors(card, kb.facts));
  }
  for (const f of kb.facts) {
    if (!kb.documents.has(f.source.doc)) errors.push(`knowledge/facts: ${f.id}: source "${f.source.doc}" is not a known document`);
    if (f.superseded_by && !kb.facts.some((g) => g.id === f.superseded_by)) {
      errors.push(`knowledge/facts: ${f.id}: superseded_by "${f.superseded_by}" is not a fact id`);
    }
  }
  errors.push(...kb.markets.selectorErrors(kb.facts));
  // What office answers cite: every source of the office directory is a known document.
  const { provinces, communes, officeTypes, oldNames } = kb.offices;
  for (const [file, entries] of [["provinces", provinces], ["communes", communes], ["office-types", officeTypes], ["old-names", oldNames]] as const) {
    for (const e of entries) {
      if (e.source && !kb.documents.has(e.source.doc)) errors.push(`knowledge/offices/${file}.yaml: ${e.id}: source "${e.source.doc}" is not a known document`);
    }
  }
  for (const t of kb.offices.officeTypes) {
    for (const v of [t.contact.phone, t.contact.website]) {
      if (v && unverifiedContacts(v, allowed).length) errors.push(`knowledge/offices: ${t.id}: unverified contact "${v}"`);
    }
  }

  if (retrieve) {
    for (const card of kb.cards) {
      for (const q of card.meta.questions) {
        const keys = await retrieve(q, 3);
        if (!keys.includes(`card:${card.meta.id}`)) {
          const got = keys.map((k) => k.replace(/^card:/, "")).join(", ");
          errors.push(`${card.file}: question "${q}" does not retrieve its card in the top 3 (got: ${got})`);
        }
      }
    }
  }

  const byTopic = new Map<string, string[]>(TOPICS.map((t) => [t, []]));
  const byConfidence = new Map<string, number>([["V-P", 0], ["V-S", 0], ["M", 0]]);
  for (const card of kb.cards) {
    for (const t of card.meta.topics) byTopic.get(t)!.push(card.meta.id);
    byConfidence.set(card.meta.confidence, (byConfidence.get(card.meta.confidence) ?? 0) + 1);
  }
  return { errors, cardCount: kb.cards.length, byTopic, byConfidence };
}

export function coverageMarkdown(result: CheckResult, kb: KnowledgeBase): string {
  const lines = [
    "# Knowledge coverage",
    "",
    "Written by `npm run knowledge:check`; do not edit by hand.",
    "",
    `- Cards: ${result.cardCount}`,
    `- Sources: ${kb.sources.length}`,
    `- Facts: ${kb.facts.length}`,
    `- Provinces: ${kb.offices.provinces.length}; office types: ${kb.offices.officeTypes.length}; old names: ${kb.offices.oldNames.length}`,
    "",
    "## Cards by confidence",
    "",
    "| confidence | cards |",
    "|---|---|",
    ...[...result.byConfidence].map(([c, n]) => `| ${c} | ${n} |`),
    "",
    "## Cards by topic",
    "",
    "| topic | cards | ids |",
    "|---|---|---|",
    ...[...result.byTopic].map(([t, ids]) => `| ${t} | ${ids.length} | ${ids.join(", ")} |`),
    "",
  ];
  return lines.join("\n");
}

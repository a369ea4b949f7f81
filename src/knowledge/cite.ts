/**
 * Citations and hedges, in one place for the answer composer, the skills and the LLM mode:
 * a fact, a card or a passage becomes a citation whose title and status come from the
 * document registry (`knowledge/documents.yaml`), and knowledge that is not fully verified
 * (V-S, M) carries one plain line saying who can confirm it (`prompts/citations.yaml`).
 *
 * Every legal figure lives once, in `knowledge/facts/`: code looks it up by id.
 *
 * @example
 * const cap = factById(kb, "serviceFeeCap.general.max36");
 * citeFact(cap);              // { doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a", … }
 * toCitations(kb, [citeFact(cap)]); // [{ doc, title: "Luật Người lao động…", locator, status: "in_force" }]
 */
import { z } from "zod";
import type { Card, KnowledgeBase } from "./load.ts";
import type { ChunkMetadata } from "./chunk.ts";
import type { Citation, Confidence, Fact, SourceRef, Status } from "./schema.ts";
import { defineTexts, template } from "./texts.ts";
import { fill } from "../text/wording.ts";

export const citationTexts = defineTexts(
  "citations",
  z.object({
    /** One plain line for V-S / M knowledge: {confirm_with} is who can confirm it. */
    hedge: template,
    /** A replaced rule: {date} it stopped applying, {current} today's rule. */
    superseded: template,
    /** A historical client document: {note} from its front-matter. */
    history_note: template,
    sources_label: template,
    status: z.object({ in_force: template, superseded: template, history: template }),
  }),
);

/** A citation a skill attaches to a verdict: the fact's (or card's) document and locator. */
export interface ToolCitation {
  doc: string;
  locator: string;
  status: Status;
  confidence: Confidence;
  factId?: string;
}

export class MissingFactError extends Error {
  constructor(id: string) {
    super(`knowledge/facts: no fact with id "${id}" — add it (with source, status and dates) or fix the id in the skill`);
  }
}

export class MissingCardError extends Error {
  constructor(id: string, detail: string) {
    super(`knowledge/cards: card "${id}" ${detail} — the skill cites it; fix the card or the id in the skill`);
  }
}

const factIndex = new WeakMap<KnowledgeBase, Map<string, Fact>>();

/** The fact with this id; throws a `MissingFactError` that names the id. */
export function factById(kb: KnowledgeBase, id: string): Fact {
  let byId = factIndex.get(kb);
  if (!byId) factIndex.set(kb, (byId = new Map(kb.facts.map((f) => [f.id, f]))));
  const fact = byId.get(id);
  if (!fact) throw new MissingFactError(id);
  return fact;
}

/** Facts in force on `date` (ISO "YYYY-MM-DD"): started, not ended, not superseded. */
export function inForce(fact: Fact, date: string): boolean {
  return fact.status === "in_force" && fact.valid_from <= date && (!fact.valid_to || date < fact.valid_to);
}

export function citeFact(fact: Fact): ToolCitation {
  return { doc: fact.source.doc, locator: fact.source.locator, status: fact.status, confidence: fact.confidence, factId: fact.id };
}

/** A fact's citation by id: the way a skill cites a rule (with or without a figure). */
export function citeRule(kb: KnowledgeBase, id: string): ToolCitation {
  return citeFact(factById(kb, id));
}

/** Citations without repeats (same document and locator). */
export function uniqueCitations(citations: ToolCitation[]): ToolCitation[] {
  const seen = new Set<string>();
  return citations.filter((c) => {
    const key = `${c.doc}|${c.locator}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether any cited fact is not fully verified (V-S or M): the answer must be hedged. */
export function needsHedge(citations: ToolCitation[]): boolean {
  return citations.some((c) => c.confidence !== "V-P");
}

export function cardById(kb: KnowledgeBase, id: string): Card {
  const card = kb.cards.find((c) => c.meta.id === id);
  if (!card) throw new MissingCardError(id, "does not exist");
  return card;
}

/** Every source a card cites, with status from documents.yaml and the card's confidence. */
export function citeCard(kb: KnowledgeBase, cardId: string): ToolCitation[] {
  const card = cardById(kb, cardId);
  return card.meta.sources.map((s) => ({
    doc: s.doc,
    locator: s.locator,
    status: kb.documents.get(s.doc)?.status ?? card.meta.status,
    confidence: card.meta.confidence,
  }));
}

/**
 * One source a card cites, named exactly (document and locator) by data such as a red flag:
 * the card's confidence travels with it. Throws when the card no longer cites it.
 */
export function citeCardSource(kb: KnowledgeBase, cardId: string, ref: SourceRef): ToolCitation {
  const cited = citeCard(kb, cardId).find((c) => c.doc === ref.doc && c.locator === ref.locator);
  if (!cited) throw new MissingCardError(cardId, `has no source ${ref.doc}, ${ref.locator}`);
  return cited;
}

/** Who can confirm a card's V-S/M content, as the card says. */
export function confirmWith(kb: KnowledgeBase, cardId: string): string | undefined {
  return kb.cards.find((c) => c.meta.id === cardId)?.meta.confirm_with;
}

/** A citation of a document reference; its status comes from the documents registry. */
export function citeSource(kb: KnowledgeBase, source: SourceRef, confidence: Confidence): ToolCitation {
  return { doc: source.doc, locator: source.locator, status: kb.documents.get(source.doc)?.status ?? "in_force", confidence };
}

/** An office type (office-types.yaml) and a citation of the rule that gives it the task. */
export function officeType(kb: KnowledgeBase, id: string): { name: string; citation: ToolCitation } {
  const office = kb.offices.officeTypes.find((o) => o.id === id);
  if (!office) throw new Error(`knowledge/offices/office-types.yaml: no office type "${id}" — add it or fix the id`);
  return { name: office.name, citation: citeSource(kb, office.source, office.confidence) };
}

/**
 * Citation lines for document references, as a reply shows them: title and status from
 * the document registry, duplicates dropped, in order of first appearance.
 */
export function toCitations(
  kb: KnowledgeBase,
  refs: Array<{ doc: string; locator: string }>,
  fallback: { title: string; status: Status } = { title: "", status: "in_force" },
): Citation[] {
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const ref of refs) {
    const key = `${ref.doc}|${ref.locator}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = kb.documents.get(ref.doc);
    out.push({ doc: ref.doc, title: entry?.title ?? fallback.title, locator: ref.locator, status: entry?.status ?? fallback.status });
  }
  return out;
}

const cardIndex = new WeakMap<KnowledgeBase, Map<string, Card>>();
function cardOf(kb: KnowledgeBase, meta: ChunkMetadata): Card | undefined {
  if (meta.kind === "source") return undefined;
  let byId = cardIndex.get(kb);
  if (!byId) cardIndex.set(kb, (byId = new Map(kb.cards.map((c) => [c.meta.id, c]))));
  return byId.get(meta.docId);
}

/** A chunk's citations: a card's sources, or the passage's own document and locator. */
export function citationsOfChunk(kb: KnowledgeBase, meta: ChunkMetadata): Citation[] {
  const card = cardOf(kb, meta);
  return card
    ? toCitations(kb, card.meta.sources, { title: card.meta.title, status: card.meta.status })
    : toCitations(kb, [{ doc: meta.doc, locator: meta.locator }], { title: meta.title, status: meta.status });
}

/** The hedge line of a card whose facts are not fully verified (V-S, M): who can confirm them. */
export function cardHedge(kb: KnowledgeBase, card: Card): string | undefined {
  return card.meta.confidence !== "V-P" && card.meta.confirm_with ? hedgeLine(kb, card.meta.confirm_with) : undefined;
}

/** A chunk's hedge line, when it belongs to a card that needs one. */
export function hedgeOfChunk(kb: KnowledgeBase, meta: ChunkMetadata): string | undefined {
  const card = cardOf(kb, meta);
  return card && cardHedge(kb, card);
}

/** "Lưu ý: … Bạn nên hỏi {who} để chắc chắn." */
export function hedgeLine(kb: KnowledgeBase, confirmWithWho: string): string {
  return fill(citationTexts(kb).hedge, { confirm_with: confirmWithWho });
}

/** "Luật 69/2020/QH14, Điều 23 khoản 4 (đang có hiệu lực)". */
export function citationLine(kb: KnowledgeBase, c: Citation): string {
  return `${c.doc}, ${c.locator} (${citationTexts(kb).status[c.status]})`;
}

/**
 * What every tool shares: looking up facts by id (every legal figure lives once, in
 * `knowledge/facts/`), turning facts into citations, and the shape of a tool's answer.
 *
 * Tools decide by code from data, never by a model. Each tool is a pure function over the
 * `KnowledgeBase` plus a LangChain `tool()` wrapper with a zod input schema, so the offline
 * engine and the optional LLM mode run the same code.
 *
 * @example
 * const cap = factById(kb, "serviceFeeCap.general.max36");
 * citeFact(cap); // { doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a", … }
 */
import type { Card, KnowledgeBase } from "../knowledge/load.ts";
import { fold } from "../text/normalize.ts";
import type { Confidence, Fact, Status } from "../knowledge/schema.ts";

/** A citation a tool attaches to its verdict: the fact's document and locator. */
export interface ToolCitation {
  doc: string;
  locator: string;
  status: Status;
  confidence: Confidence;
  factId?: string;
}

/** What a tool returns besides its structured result: plain Vietnamese text and citations. */
export interface ToolAnswer {
  /** Short plain-Vietnamese answer, ready for a chat message (≤ 1,500 characters). */
  text: string;
  citations: ToolCitation[];
  /** True when a V-S or M fact was used: the text then says who can confirm. */
  hedged: boolean;
}

export class MissingFactError extends Error {
  constructor(id: string) {
    super(`knowledge/facts: no fact with id "${id}" — add it (with source, status and dates) or fix the id in the tool`);
  }
}

/** The fact with this id; throws a `MissingFactError` that names the id. */
export function factById(kb: KnowledgeBase, id: string): Fact {
  const fact = kb.facts.find((f) => f.id === id);
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

/** Today's date as ISO "YYYY-MM-DD" (tools take it as a parameter so tests can fix it). */
export function isoToday(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** 12000000 → "12.000.000"; 0.5 → "0,5" (Vietnamese separators). */
export function viNumber(n: number): string {
  return n.toLocaleString("vi-VN", { maximumFractionDigits: 2 });
}

export const MAX_ANSWER_CHARS = 1500;
export const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** 12000000 → "12 triệu đồng", 12500000 → "12,5 triệu đồng", 2e9 → "2 tỷ đồng", 530000 → "530.000 đồng". */
export function formatVnd(n: number): string {
  if (n >= 1e9 && n % 1e7 === 0) return `${viNumber(n / 1e9)} tỷ đồng`;
  if (n >= 1e6 && n % 1e4 === 0) return `${viNumber(n / 1e6)} triệu đồng`;
  return `${viNumber(n)} đồng`;
}

/** 66 → "5 năm 6 tháng", 24 → "2 năm", 7 → "7 tháng". */
export function formatMonths(months: number): string {
  const y = Math.floor(months / 12);
  const m = months % 12;
  if (y === 0) return `${viNumber(m)} tháng`;
  return m === 0 ? `${y} năm` : `${y} năm ${viNumber(m)} tháng`;
}

/** "2026-01-01" → "01/01/2026". */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

export class MissingCardError extends Error {
  constructor(id: string, detail: string) {
    super(`knowledge/cards: card "${id}" ${detail} — the tool cites it; fix the card or the id in the tool`);
  }
}

/**
 * Citations for a rule stated by a card but carrying no number: the card's sources whose
 * locator matches (all of them when no pattern). Status comes from documents.yaml.
 */
export function citeCard(kb: KnowledgeBase, cardId: string, locator?: RegExp, doc?: string): ToolCitation[] {
  const card = kb.cards.find((c) => c.meta.id === cardId);
  if (!card) throw new MissingCardError(cardId, "does not exist");
  const sources = card.meta.sources.filter((s) => (!locator || locator.test(s.locator)) && (!doc || s.doc === doc));
  if (sources.length === 0) throw new MissingCardError(cardId, `has no source matching ${doc ?? ""} ${locator ?? ""}`);
  return sources.map((s) => ({
    doc: s.doc,
    locator: s.locator,
    status: kb.documents.get(s.doc)?.status ?? card.meta.status,
    confidence: card.meta.confidence,
  }));
}

/** Who can confirm a card's V-S/M content, as the card says. */
export function confirmWith(kb: KnowledgeBase, cardId: string): string | undefined {
  return kb.cards.find((c) => c.meta.id === cardId)?.meta.confirm_with;
}

/** An office type (office-types.yaml) and a citation of the rule that gives it the task. */
export function officeType(kb: KnowledgeBase, id: string): { name: string; citation: ToolCitation } {
  const office = kb.offices.officeTypes.find((o) => o.id === id);
  if (!office) throw new Error(`knowledge/offices/office-types.yaml: no office type "${id}"`);
  return { name: office.name, citation: citeSource(kb, office.source, office.confidence) };
}

/** A citation of a document reference; its status comes from the documents registry. */
export function citeSource(kb: KnowledgeBase, source: { doc: string; locator: string }, confidence: Confidence): ToolCitation {
  return { doc: source.doc, locator: source.locator, status: kb.documents.get(source.doc)?.status ?? "in_force", confidence };
}

/**
 * The scam red-flags card, while its next steps still send people to the commune/ward
 * police (find-office and scam-check only point there when the card does).
 */
export function policeCard(kb: KnowledgeBase): Card | undefined {
  const card = kb.cards.find((c) => c.meta.id === "gen-scam-red-flags");
  return card?.nextSteps.some((s) => /cong an xa, phuong/.test(fold(s))) ? card : undefined;
}

/** One sentence of an answer with the citations behind it. Priority 1 is kept first. */
export interface AnswerLine {
  text: string;
  priority: 1 | 2 | 3;
  cites: ToolCitation[];
}

/**
 * Fits lines into one chat message (≤ `max` characters): drops priority-3 lines from the
 * end, then priority-2 lines, until it fits. Citations follow the lines kept. When a kept
 * citation is V-S or M, `hedge` (who can confirm) is appended.
 */
export function composeAnswer(lines: AnswerLine[], hedge: string, max = MAX_ANSWER_CHARS): ToolAnswer {
  const kept = lines.filter((l) => l.text.trim() !== "");
  const size = (ls: AnswerLine[]) => ls.reduce((n, l) => n + l.text.length + 1, 0) + hedge.length;
  for (const priority of [3, 2, 1] as const) {
    // The first line is the answer itself: it always stays.
    for (let i = kept.length - 1; i >= 1 && size(kept) > max; i--) {
      if (kept[i]!.priority === priority) kept.splice(i, 1);
    }
  }
  const citations = uniqueCitations(kept.flatMap((l) => l.cites));
  const hedged = needsHedge(citations);
  let text = kept.map((l) => l.text).join("\n");
  if (hedged && hedge) text += `\n${hedge}`;
  if (text.length > max) text = `${text.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
  return { text, citations, hedged };
}

/** Echoes what the person typed only as plain words (no digits, links or numbers). */
export function safeEcho(text: string): string {
  const words = text.normalize("NFC").replace(/[^\p{L}\s-]/gu, " ").replace(/\s+/g, " ").trim();
  return words.length > 40 ? `${words.slice(0, 40).trim()}…` : words;
}

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
import type { KnowledgeBase } from "../knowledge/load.ts";
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

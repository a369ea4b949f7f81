/**
 * Whether a legal document still applies, and what replaced it — from the documents
 * registry (knowledge/documents.yaml), by code. People read old advice that cites Decree
 * 61/2015 or Decree 12/2022; "Nghị định 12/2022 còn hiệu lực không?" gets the registry's
 * answer (superseded, by Nghị định 283/2026/NĐ-CP from its date), never a card that happens
 * to share words with the question.
 *
 * @example
 * documentSkill.read!(kb, "nđ 12/2022 còn hiệu lực ko"); // { documents: ["Nghị định 12/2022/NĐ-CP"] }
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { DocumentEntry } from "../../knowledge/schema.ts";
import { defineTexts, defineVocabulary, foldedPattern, template } from "../../knowledge/texts.ts";
import { officeType, type ToolCitation } from "../../knowledge/cite.ts";
import { fold, ruleText } from "../../text/normalize.ts";
import { fill, formatDate } from "../../text/wording.ts";
import { composeAnswer, type AnswerLine } from "../answer.ts";
import type { Skill } from "../skill.ts";

export const documentTexts = defineTexts(
  "skills/document",
  z.object({
    in_force: template, in_force_since: template, superseded: template, superseded_until: template,
    replaced_by: template, replaced_by_since: template, history: template, note: template,
    advice: template, hedge: template, unknown: template, locator: template,
  }),
);

export const documentVocabulary = defineVocabulary(
  "document",
  z.object({
    asks_validity: foldedPattern,
    kinds: z.array(z.object({ words: foldedPattern, kind: z.string().min(1) })).min(1),
  }),
);

/** Who can confirm a document's status: the provincial Department of Home Affairs. */
const CONFIRMER = "home_affairs_department";

export const documentInputSchema = z.object({
  documents: z.array(z.string().min(3)).min(1).max(3).describe("Document names exactly as in the registry (knowledge/documents.yaml), e.g. the decree numbered 12/2022/ND-CP as written there"),
});
export type DocumentInput = z.infer<typeof documentInputSchema>;

export interface DocumentStatus {
  doc: string;
  known: boolean;
  status?: DocumentEntry["status"];
  /** The last day it applied, when it ended. */
  until?: string;
  successor?: { doc: string; from?: string };
}

/** "12/2022" in a document name or a message. */
const NUMBER_YEAR = /(\d{1,4})\s*\/\s*(\d{4})/g;

/** The registry's documents a message names, by number and year, or by kind and number when only one fits. */
export function namedDocuments(kb: KnowledgeBase, text: string): string[] {
  const registry = [...kb.documents.values()];
  const found: string[] = [];
  const add = (doc: string | undefined) => doc && !found.includes(doc) && found.push(doc);
  for (const m of text.matchAll(NUMBER_YEAR)) {
    const key = `${Number(m[1])}/${m[2]}`;
    add(registry.find((d) => [...d.doc.matchAll(NUMBER_YEAR)].some((x) => `${Number(x[1])}/${x[2]}` === key))?.doc);
  }
  if (found.length) return found;
  // "nghị định 74": the kind words right before a number.
  const words = ruleText(text, "/").split(" ");
  const { kinds } = documentVocabulary(kb);
  words.forEach((w, i) => {
    if (!/^\d{1,4}$/.test(w)) return;
    const before = words.slice(Math.max(0, i - 2), i).join(" ");
    const kind = kinds.find((k) => k.words.test(before))?.kind;
    if (!kind) return;
    const prefix = `${fold(kind)} ${Number(w)}`;
    const fits = registry.filter((d) => fold(d.doc).startsWith(`${prefix}/`) || fold(d.doc).startsWith(`${prefix}-`));
    if (fits.length === 1) add(fits[0]!.doc);
  });
  return found;
}

function statusOf(kb: KnowledgeBase, doc: string): DocumentStatus {
  const entry = kb.documents.get(doc);
  if (!entry) return { doc, known: false };
  const successor = entry.superseded_by ? kb.documents.get(entry.superseded_by) : undefined;
  return {
    doc,
    known: true,
    status: entry.status,
    until: entry.valid_to,
    successor: entry.superseded_by ? { doc: entry.superseded_by, from: successor?.valid_from } : undefined,
  };
}

/** The registry's word on a document, as a citation of the whole document. */
function cite(kb: KnowledgeBase, doc: string): ToolCitation {
  const entry = kb.documents.get(doc)!;
  // The registry records status and dates from legal-facts, not each one from the original.
  return { doc, locator: documentTexts(kb).locator, status: entry.status, confidence: entry.confidence };
}

function lines(kb: KnowledgeBase, s: DocumentStatus): AnswerLine[] {
  const t = documentTexts(kb);
  const entry = kb.documents.get(s.doc)!;
  const own = cite(kb, s.doc);
  const out: AnswerLine[] = [];
  if (s.status === "in_force") {
    out.push({ text: fill(entry.valid_from ? t.in_force_since : t.in_force, { doc: s.doc, title: entry.title, date: entry.valid_from ? formatDate(entry.valid_from) : "" }), priority: 1, cites: [own] });
  } else if (s.status === "superseded") {
    out.push({ text: fill(s.until ? t.superseded_until : t.superseded, { doc: s.doc, date: s.until ? formatDate(dayAfter(s.until)) : "" }), priority: 1, cites: [own] });
    const next = s.successor && kb.documents.get(s.successor.doc);
    if (next) {
      const values = { successor: next.doc, title: next.title, from: next.valid_from ? formatDate(next.valid_from) : "" };
      out.push({ text: fill(next.valid_from ? t.replaced_by_since : t.replaced_by, values), priority: 1, cites: [cite(kb, next.doc)] });
    }
  } else {
    out.push({ text: fill(t.history, { doc: s.doc, title: entry.title }), priority: 1, cites: [own] });
  }
  if (entry.note) out.push({ text: fill(t.note, { note: entry.note }), priority: 3, cites: [] });
  return out;
}

/** "2026-09-09" → "2026-09-10": a document that applied until a day ends the day after. */
function dayAfter(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function documentStatus(kb: KnowledgeBase, input: DocumentInput) {
  const t = documentTexts(kb);
  const office = officeType(kb, CONFIRMER);
  const statuses = input.documents.map((d) => statusOf(kb, d));
  const known = statuses.filter((s) => s.known);
  if (!known.length) {
    return { statuses, answer: { text: fill(t.unknown, { office: office.name }), citations: [], hedged: false } };
  }
  const body = known.flatMap((s) => lines(kb, s));
  body.push({ text: fill(t.advice, { office: office.name }), priority: 2, cites: [] });
  return { statuses, answer: composeAnswer(body, fill(t.hedge, { office: office.name })) };
}
export type DocumentStatusResult = ReturnType<typeof documentStatus>;

export const documentSkill: Skill<DocumentInput, DocumentStatusResult> = {
  name: "document_status",
  intent: "document_status",
  // Cards about the documents themselves (Directive 20, the local plans, what changed).
  topics: ["policy"],
  dated: false,
  description: "Whether a Vietnamese legal document (decree, circular, law, decision) is still in force and which document replaced it, from the assistant's document registry.",
  data: [documentTexts, documentVocabulary],
  schema: () => documentInputSchema,
  read(kb, text) {
    if (!documentVocabulary(kb).asks_validity.test(ruleText(text, "/"))) return undefined;
    const documents = namedDocuments(kb, text).slice(0, 3);
    return documents.length ? { documents } : undefined;
  },
  run(kb, input) {
    const result = documentStatus(kb, input);
    return { result, answer: result.answer, decided: result.statuses.some((s) => s.known) };
  },
};

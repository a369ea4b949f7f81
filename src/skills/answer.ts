/**
 * The shape of a skill's answer, and how it is fitted into one chat message: each line
 * carries the citations behind it, so a line dropped for length takes its citations with
 * it, and a kept V-S/M citation brings its hedge.
 *
 * Skills decide by code from data, never by a model: every figure comes from
 * `knowledge/facts/` through `knowledge/cite.ts`, every sentence from `prompts/`.
 */
import { z } from "zod";
import type { Card, KnowledgeBase } from "../knowledge/load.ts";
import { defineVocabulary, foldedPattern } from "../knowledge/texts.ts";
import { fold } from "../text/normalize.ts";
import { MAX_REPLY_CHARS } from "../text/wording.ts";
import { needsHedge, uniqueCitations, type ToolCitation } from "../knowledge/cite.ts";

export type { ToolCitation };

/** What a skill returns besides its structured result: plain Vietnamese text and citations. */
export interface ToolAnswer {
  /** Short plain-Vietnamese answer, ready for a chat message. */
  text: string;
  citations: ToolCitation[];
  /** True when a V-S or M fact was used: the text then says who can confirm. */
  hedged: boolean;
}

/**
 * When answers send people to the commune/ward police, as a typed, validated view of
 * `knowledge/vocabulary/police.yaml`: the card whose next steps say so, and the words
 * that name that police (over folded text).
 */
export const policeVocabulary = defineVocabulary(
  "police",
  z.object({
    card: z.string().min(1),
    commune_police: foldedPattern,
  }),
);

/**
 * The police card (knowledge/vocabulary/police.yaml), while its next steps still send
 * people to the commune/ward police (find-office and scam-check only point there when
 * the card does).
 */
export function policeCard(kb: KnowledgeBase): Card | undefined {
  const { card: id, commune_police } = policeVocabulary(kb);
  const card = kb.cards.find((c) => c.meta.id === id);
  return card?.nextSteps.some((s) => commune_police.test(fold(s))) ? card : undefined;
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
export function composeAnswer(lines: AnswerLine[], hedge: string, max = MAX_REPLY_CHARS): ToolAnswer {
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

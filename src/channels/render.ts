/**
 * Turning a `Reply` into text for a channel. Every string that came from a user or a
 * document is escaped for the target format; only our own fixed markup is not.
 */
import type { Reply } from "../contract.ts";
import type { KnowledgeBase } from "../knowledge/load.ts";
import { citationLine, citationTexts } from "../knowledge/cite.ts";
import { escapeHtml } from "../text/wording.ts";

/** Plain text with citation lines: command line, Zalo, logs of tests. */
export function renderPlain(reply: Reply, kb: KnowledgeBase): string {
  const parts = [reply.text];
  if (reply.citations.length) {
    parts.push(`${citationTexts(kb).sources_label}:\n${reply.citations.map((c) => `- ${citationLine(kb, c)}`).join("\n")}`);
  }
  return parts.join("\n\n");
}

/** Telegram HTML: the answer escaped, citations in italics. */
export function renderTelegramHtml(reply: Reply, kb: KnowledgeBase): string {
  const parts = [escapeHtml(reply.text)];
  if (reply.citations.length) {
    parts.push(
      `<b>${escapeHtml(citationTexts(kb).sources_label)}:</b>\n${reply.citations.map((c) => `• <i>${escapeHtml(citationLine(kb, c))}</i>`).join("\n")}`,
    );
  }
  return parts.join("\n\n");
}

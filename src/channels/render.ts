/**
 * Turning a `Reply` into text for a channel. Every string that came from a user or a
 * document is escaped for the target format; only our own fixed markup is not.
 */
import type { Replies } from "../engine/replies.ts";
import type { Citation, Reply } from "../contract.ts";

const STATUS_LABEL: Record<Citation["status"], string> = {
  in_force: "đang có hiệu lực",
  superseded: "đã được thay thế",
  history: "tài liệu cũ, để tham khảo",
};

export function citationLine(c: Citation): string {
  return `${c.doc}, ${c.locator} (${STATUS_LABEL[c.status]})`;
}

/** Plain text with citation lines: command line, Zalo, logs of tests. */
export function renderPlain(reply: Reply, replies: Pick<Replies, "sources_label">): string {
  const parts = [reply.text];
  if (reply.citations.length) {
    parts.push(`${replies.sources_label}:\n${reply.citations.map((c) => `- ${citationLine(c)}`).join("\n")}`);
  }
  return parts.join("\n\n");
}

/** Escapes text for Telegram's HTML parse mode (and any HTML page). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Telegram HTML: the answer escaped, citations in italics. */
export function renderTelegramHtml(reply: Reply, replies: Pick<Replies, "sources_label">): string {
  const parts = [escapeHtml(reply.text)];
  if (reply.citations.length) {
    parts.push(
      `<b>${escapeHtml(replies.sources_label)}:</b>\n${reply.citations.map((c) => `• <i>${escapeHtml(citationLine(c))}</i>`).join("\n")}`,
    );
  }
  return parts.join("\n\n");
}

/**
 * What the knowledge is searched with for one message: a short message as typed; for a
 * story, its main ask, with the sentence before it when the ask alone says too little
 * ("Tôi nên làm gì?") and the market the story names when the ask does not.
 *
 * @example
 * focusOf(understand(kb, "Em đi Nhật, đã đóng 80 triệu. Giờ không đi nữa. Có lấy lại được không?"));
 * // "Giờ không đi nữa. Có lấy lại được không? Nhật Bản"
 */
import { ruleText } from "../text/normalize.ts";
import type { Understanding } from "../understanding/understand.ts";

function ruleWords(text: string): number {
  return ruleText(text).split(" ").filter(Boolean).length;
}

/** An ask with fewer folded words than this leans on the sentence before it. */
const SHORT_ASK_WORDS = 7;

export function focusOf(u: Understanding): string {
  const main = u.asks[0];
  if (!u.story || !main) return u.text;
  const parts = [main.core];
  if (ruleWords(main.core) < SHORT_ASK_WORDS && main.sentence > 0) parts.unshift(u.sentences[main.sentence - 1]!);
  if (u.situation.marketName && !parts.some((p) => p.includes(u.situation.marketName!))) parts.push(u.situation.marketName);
  return parts.join(" ");
}

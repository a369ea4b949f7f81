/**
 * What the knowledge is searched with for one message: a short message as typed; for a
 * story, its main ask without the words around it ("cho em hỏi", "ạ"); with what happened
 * (the vocabulary's words for the story's events) when the ask is vague ("Tôi nên làm
 * gì?") or not put in words; else with the sentence before an ask too short to stand
 * alone; and with the market the story names when the ask does not.
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
const SHORT_ASK_WORDS = 4;
/** At most this many of the story's events are searched with a vague or unspoken ask. */
const MAX_EVENT_SEARCHES = 2;

export function focusOf(u: Understanding): string {
  const main = u.asks[0];
  if (!u.story || !main) return u.text;
  const parts = [main.core];
  const events = u.situation.eventSearches.slice(0, MAX_EVENT_SEARCHES);
  if ((main.implicit || main.vague) && events.length) {
    // "…đòi thì họ không trả." / "Tôi nên làm gì?": what happened is what is asked about.
    parts.unshift(...events);
  } else if (ruleWords(main.core) < SHORT_ASK_WORDS && main.sentence > 0) {
    parts.unshift(u.sentences[main.sentence - 1]!);
  }
  if (u.situation.marketName && !parts.some((p) => p.includes(u.situation.marketName!))) parts.push(u.situation.marketName);
  return parts.join(" ");
}

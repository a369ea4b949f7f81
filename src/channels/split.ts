/**
 * One splitter for every channel: a reply longer than the platform takes goes out as
 * several messages, cut where a reader expects a break. Lines are packed whole into each
 * message; a single line longer than a message is cut at a sentence end, else at a space,
 * else anywhere — but never inside a surrogate pair, so an emoji is never halved.
 *
 * With `markup: "html"` (Telegram's HTML parse mode) a cut never falls inside a tag or an
 * entity ("&amp;"), and a tag still open at a cut is closed at the end of that message and
 * opened again at the start of the next, so every message is well-formed on its own.
 *
 * @example
 * splitMessage(html, { max: 4096, markup: "html" }); // Telegram
 * splitMessage(text, { max: 2000 });                 // Zalo: plain text
 */

export interface SplitOptions {
  /** Longest message the platform accepts, in UTF-16 code units (what JavaScript's length counts). */
  max: number;
  /** "html": tags and entities are kept whole. Default "plain". */
  markup?: "plain" | "html";
}

/** Under this the cuts cannot keep words, entities and tags whole; no platform is that small. */
const MIN_MAX = 40;

export function splitMessage(text: string, options: SplitOptions): string[] {
  const { max } = options;
  if (!Number.isInteger(max) || max < MIN_MAX) throw new Error(`splitMessage: max must be an integer of at least ${MIN_MAX}, got ${max}`);
  const html = options.markup === "html";
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const t = current.trim();
    if (t) parts.push(t);
    current = "";
  };
  for (const line of text.split("\n")) {
    for (const piece of line.length > max ? cutLine(line, max, html) : [line]) {
      const candidate = current ? `${current}\n${piece}` : piece;
      if (candidate.length <= max) current = candidate;
      else {
        flush();
        current = piece;
      }
    }
  }
  flush();
  return parts;
}

/** Cuts one over-long line into pieces of at most `max` characters. */
function cutLine(line: string, max: number, html: boolean): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let limit = max;
    let piece: string;
    let next: string;
    for (;;) {
      const cut = chooseCut(rest, limit, html);
      const open = html ? openTags(rest.slice(0, cut)) : [];
      piece = rest.slice(0, cut).trimEnd() + [...open].reverse().map((t) => `</${t.name}>`).join("");
      next = open.map((t) => t.raw).join("") + rest.slice(cut).trimStart();
      // The closing tags added may push the piece over the limit: cut a little earlier.
      if (piece.length <= max || limit <= MIN_MAX / 2) break;
      limit -= piece.length - max;
    }
    out.push(piece);
    rest = next;
  }
  if (rest.trim()) out.push(rest);
  return out;
}

const SENTENCE_END = /[.?!;…]\s/g;

/** Where to cut `s` so the first piece has at most `limit` characters: sentence end, space, anywhere safe. */
function chooseCut(s: string, limit: number, html: boolean): number {
  const safe = (i: number) => i > 0 && i <= limit && !splitsPair(s, i) && (!html || (!insideTag(s, i) && !insideEntity(s, i)));
  // A cut in the first half would make many short messages; prefer a later, rougher cut.
  const floor = Math.floor(limit / 2);
  let sentence = -1;
  for (const m of s.slice(0, limit + 1).matchAll(SENTENCE_END)) {
    const i = m.index + 1;
    if (i >= floor && safe(i)) sentence = i;
  }
  if (sentence > 0) return sentence;
  for (let i = Math.min(limit, s.length - 1); i >= floor; i--) if (/\s/.test(s[i]!) && safe(i)) return i;
  for (let i = limit; i > 0; i--) if (safe(i)) return i;
  return limit;
}

/** Cutting before index i would separate a high surrogate from its low half. */
function splitsPair(s: string, i: number): boolean {
  const code = s.charCodeAt(i - 1);
  return code >= 0xd800 && code <= 0xdbff;
}

/** Index i falls between "<" and ">" of a tag. */
function insideTag(s: string, i: number): boolean {
  return s.lastIndexOf("<", i - 1) > s.lastIndexOf(">", i - 1);
}

/** Index i falls inside an entity such as "&amp;" or "&#39;". */
function insideEntity(s: string, i: number): boolean {
  const amp = s.lastIndexOf("&", i - 1);
  if (amp < 0 || i - amp > 10) return false;
  return /^&#?[a-zA-Z0-9]*$/.test(s.slice(amp, i)) && /^[#a-zA-Z0-9]*;/.test(s.slice(i));
}

/** Tags opened and not yet closed in an HTML fragment, outermost first. */
function openTags(fragment: string): Array<{ name: string; raw: string }> {
  const stack: Array<{ name: string; raw: string }> = [];
  for (const m of fragment.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>/g)) {
    const name = m[2]!.toLowerCase();
    if (!m[1]) stack.push({ name, raw: m[0] });
    else {
      const at = stack.map((t) => t.name).lastIndexOf(name);
      if (at >= 0) stack.splice(at);
    }
  }
  return stack;
}

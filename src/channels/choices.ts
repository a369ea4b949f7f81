/**
 * Choice memory: what a reply's suggestions stood for, so that picking one later sends its
 * full text. Three styles, one per kind of platform:
 *
 * - "buttons" (Telegram): each reply's suggestions are kept under an id of that reply, and a
 *   button's payload names the reply and the index — `c:<reply id>:<index>`, a few bytes
 *   whatever the number of buttons (Telegram allows 64). A button under an older message
 *   sends that message's choice, not the latest list's.
 * - "numbers" (Zalo, no buttons): a reply of just "2" picks from the last options shown in
 *   the chat; a reply without options forgets them, so a later "2" is just text.
 * - "text" (the web page): the client sends the chosen text; nothing is kept.
 *
 * @example
 * const memory = new ChoiceMemory(store, "telegram", "buttons", 7 * 24 * 3600_000);
 * await memory.remember(chatId, replyId, reply.suggestions);
 * const data = choicePayload({ replyId, index: 0 });           // "c:Qm9hX2lk:0"
 * await memory.resolve(chatId, { choice: readChoicePayload(data) }); // { text: reply.suggestions[0] }
 */
import { randomBytes } from "node:crypto";
import type { KeyValueStore } from "../store/store.ts";
import { fold } from "../text/normalize.ts";

export type ChoiceStyle = "buttons" | "numbers" | "text";

/** A pressed button: the reply that showed it and which of its suggestions. */
export interface ChoiceRef {
  replyId: string;
  index: number;
}

/** An id for one reply: 8 URL-safe characters, unguessable enough that a forged button finds nothing. */
export function newReplyId(): string {
  return randomBytes(6).toString("base64url");
}

/** A button's payload: "c:<reply id>:<index>". */
export function choicePayload(ref: ChoiceRef): string {
  return `c:${ref.replyId}:${ref.index}`;
}

const PAYLOAD_RE = /^c:([A-Za-z0-9_-]{1,32}):(\d{1,4})$/;

/**
 * Reads a button's payload. Anything else (a payload of an older version, a forged one)
 * becomes a reference that resolves to nothing, so the person hears that the button is old.
 */
export function readChoicePayload(data: string): ChoiceRef {
  const m = PAYLOAD_RE.exec(data);
  return m ? { replyId: m[1]!, index: Number(m[2]) } : { replyId: "", index: -1 };
}

/** A typed option number, over folded text: "1", " 2 ", "2.", "số 3", "so 3". */
const NUMBER_RE = /^\s*(?:so\s*)?(\d{1,2})\s*[.)]?\s*$/;

/** "1", " 2 ", "2.", "số 3" → that saved option; anything else → undefined. */
export function pickNumber(text: string, saved: readonly string[] | undefined): string | undefined {
  if (!saved?.length) return undefined;
  const n = NUMBER_RE.exec(fold(text))?.[1];
  return n === undefined ? undefined : saved[Number(n) - 1];
}

export class ChoiceMemory {
  constructor(
    private readonly store: KeyValueStore,
    /** The channel's name: the store keys' prefix. */
    private readonly channel: string,
    readonly style: ChoiceStyle,
    private readonly ttlMs: number,
  ) {}

  private key(chatId: string, replyId?: string): string {
    return replyId === undefined ? `${this.channel}:sugg:${chatId}` : `${this.channel}:sugg:${chatId}:${replyId}`;
  }

  /** Keeps the suggestions a reply shows (buttons: under its id; numbers: as the chat's last options). */
  async remember(chatId: string, replyId: string, suggestions: readonly string[]): Promise<void> {
    if (this.style === "buttons") {
      if (suggestions.length) await this.store.set(this.key(chatId, replyId), suggestions, this.ttlMs);
    } else if (this.style === "numbers") {
      // Numbers refer to the last options shown; without options a number is just text.
      if (suggestions.length) await this.store.set(this.key(chatId), suggestions, this.ttlMs);
      else await this.store.delete(this.key(chatId));
    }
  }

  /**
   * The text a message stands for: a pressed button's suggestion ("expired" when it is no
   * longer kept), a typed number's option, or the text itself.
   */
  async resolve(chatId: string, message: { text?: string | null; choice?: ChoiceRef }): Promise<{ text: string | null; picked: boolean } | "expired"> {
    if (message.choice) {
      const saved = message.choice.replyId ? await this.store.get<string[]>(this.key(chatId, message.choice.replyId)) : undefined;
      const text = saved?.[message.choice.index];
      return text === undefined ? "expired" : { text, picked: true };
    }
    const text = message.text ?? null;
    // Only a message that is an option number costs a store read.
    if (this.style === "numbers" && text !== null && NUMBER_RE.test(fold(text))) {
      const picked = pickNumber(text, await this.store.get<string[]>(this.key(chatId)));
      if (picked !== undefined) return { text: picked, picked: true };
    }
    return { text, picked: false };
  }
}

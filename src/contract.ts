/**
 * The engine's contract with every channel and with `npm run ask -- --json`.
 * Keep it stable: evaluation tools and adapters depend on these shapes.
 */
import type { Citation } from "./knowledge/schema.ts";

export type { Citation };

/**
 * What a reply is about. The engine's own intents are these; each skill adds its own
 * (src/skills/index.ts: fee_check, loan, deposit, find_office, scam_check), so a new skill
 * needs no edit here. `Engine.intents` lists them all.
 */
export const CORE_INTENTS = ["qa", "register", "greeting", "help", "out_of_scope", "handoff"] as const;
export type Intent = string;

/** What a channel hands to the engine. */
export interface IncomingMessage {
  /**
   * The channel's name, as it appears in store keys, logs and metrics. Known values:
   * "web", "telegram", "zalo", "cli". A new channel picks its own name; the engine only
   * uses it to keep one person's conversation on one channel apart from another's.
   *
   * @example
   * { channel: "zalo", userId: "8d1f…", text: "ky quy di han bao nhieu" }
   */
  channel: string;
  /** Stable per person on that channel. */
  userId: string;
  /** Text typed, a command ("/help") or a button's payload; null for stickers, photos… */
  text: string | null;
}

/** What the engine hands back: plain text (channels escape and format it). */
export interface Reply {
  text: string;
  citations: Citation[];
  /** Short follow-up questions a channel may show as buttons or numbered options. */
  suggestions: string[];
  intent: Intent;
  /** False when the engine is unsure or did not answer from the knowledge. */
  confident: boolean;
  /**
   * Who wrote the reply: "llm" when a language model's answer passed the grounding gate
   * (or the model handed over to a flow), "offline" otherwise. Set by `Engine.handle`.
   */
  mode?: "llm" | "offline";
}

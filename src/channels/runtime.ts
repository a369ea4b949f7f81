/**
 * The channel runtime: the plumbing every chat channel shares, so a platform file only
 * translates — its update into an `Inbound`, and the engine's `Reply` into its own format.
 *
 * For each inbound message the runtime
 *   1. drops a redelivery (`messageId` seen before, here or by an instance sharing the store);
 *   2. queues it behind the chat's earlier messages (chats run in parallel);
 *   3. resolves a pressed button or a typed option number to the text it stood for, or
 *      answers "this button is too old";
 *   4. asks the engine (media → the engine's "text only" reply; content the platform
 *      withheld → the way to an officer), showing "typing…" when that takes a while;
 *   5. keeps the reply's suggestions for the next pick, under a new reply id;
 *   6. renders, splits to the platform's limit and sends, when the platform pushes
 *      messages (a request/response channel such as the web API returns the reply instead);
 *   7. on any failure logs it and sends the engine's error reply.
 * Logs carry the channel, the kind of message, intent, sizes and timings — never message
 * text, names or phone numbers.
 *
 * @example
 * const runtime = new ChannelRuntime(
 *   {
 *     name: "zalo", choices: "numbers",
 *     output: {
 *       split: { max: 2000 },
 *       render: (reply) => ({ text: renderPlain(reply, kb) }),
 *       send: (chatId, text) => api.sendMessage({ chat_id: chatId, text }),
 *     },
 *   },
 *   { engine, store, logger },
 * );
 * await runtime.receive({ chatId: "u1", userId: "u1", messageId: "m7", text: "ky quy di han bao nhieu" });
 * await runtime.drain(); // shutting down
 */
import type { Engine } from "../engine/engine.ts";
import type { Reply } from "../contract.ts";
import { maskPhone, type Logger } from "../logger.ts";
import type { KeyValueStore } from "../store/store.ts";
import { ChatQueue } from "./chat-queue.ts";
import { ChoiceMemory, newReplyId, type ChoiceRef, type ChoiceStyle } from "./choices.ts";
import { RedeliveryFilter } from "./redelivery.ts";
import { splitMessage, type SplitOptions } from "./split.ts";
import { channelTexts } from "./texts.ts";

export type { ChoiceRef, ChoiceStyle } from "./choices.ts";

/** What a platform update becomes. */
export interface Inbound {
  /** Where replies go. One chat's messages are answered one after another. */
  chatId: string;
  /** Stable per person on the channel: the engine's `userId`. */
  userId: string;
  /**
   * The platform's id of this delivery, unique within the chat; a redelivery repeats it
   * and is dropped. Leave it out when the transport de-duplicates itself, or cannot repeat.
   */
  messageId?: string;
  /** Text typed, a command, or null for stickers, photos, voice… Ignored when `choice` is set. */
  text: string | null;
  /** A pressed button (see choices.ts: `readChoicePayload`). */
  choice?: ChoiceRef;
  /** The platform withheld the content (Zalo's protected users): the person gets the way to an officer. */
  withheld?: boolean;
}

/** What a push platform renders from a reply: its text (split by the runtime), and what goes under the last part. */
export interface Rendered<Attach> {
  text: string;
  /** E.g. Telegram's inline keyboard: under the last part, where the person finishes reading. */
  attach?: Attach;
}

/** How a push platform writes and sends (Telegram, Zalo). */
export interface ChannelOutput<Attach = never> {
  split: SplitOptions;
  /** The reply in the platform's format; `replyId` names its choices (button payloads). */
  render(reply: Reply, replyId: string): Rendered<Attach>;
  /** Sends one message. Throws when the platform did not take it (after its own retries). */
  send(chatId: string, text: string, attach?: Attach): Promise<void>;
  /** Shows "typing…" (best effort). */
  typing?(chatId: string): Promise<unknown>;
}

/** A platform, as the runtime sees it. */
export interface Channel<Attach = never> {
  /** The engine's `IncomingMessage.channel`, the store keys' prefix, the logs' and metrics' label. */
  readonly name: string;
  /** How people pick a suggestion: buttons, typed numbers, or the client posting the text (choices.ts). */
  readonly choices: ChoiceStyle;
  /** How long shown choices stay usable. Default 24 h. */
  readonly choiceTtlMs?: number;
  /** Push platforms send through this; without it `receive` only returns the reply (the web API). */
  readonly output?: ChannelOutput<Attach>;
}

/** The engine, as channels use it: answers, fixed replies, and the knowledge base (for wording). */
export type ChannelEngine = Pick<Engine, "handle" | "replies" | "index">;

export interface RuntimeOptions {
  engine: ChannelEngine;
  /** Choices and seen deliveries; share it between instances to share both. */
  store: KeyValueStore;
  logger?: Logger;
  /** Show "typing…" when an answer is not ready after this long. Default 300 ms. */
  typingDelayMs?: number;
}

/** What became of one inbound message. */
export type Outcome =
  | { kind: "answered"; reply: Reply; replyId: string; parts: number }
  | { kind: "duplicate" }
  /** Something failed; `reply` is the error reply (already sent on a push platform). */
  | { kind: "failed"; reply: Reply };

const DAY_MS = 24 * 3600 * 1000;

/** Error text for logs: short, phone numbers masked (an endpoint may echo what it was sent). */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return maskPhone(text).slice(0, 200);
}

export class ChannelRuntime<Attach = never> {
  private readonly queue = new ChatQueue();
  private readonly seen: RedeliveryFilter;
  private readonly memory: ChoiceMemory;
  private readonly engine: ChannelEngine;
  private readonly logger: Logger | undefined;
  private readonly typingDelayMs: number;

  constructor(
    readonly channel: Channel<Attach>,
    options: RuntimeOptions,
  ) {
    this.engine = options.engine;
    this.logger = options.logger;
    this.typingDelayMs = options.typingDelayMs ?? 300;
    this.seen = new RedeliveryFilter(options.store, channel.name);
    this.memory = new ChoiceMemory(options.store, channel.name, channel.choices, channel.choiceTtlMs ?? DAY_MS);
    // Fail at start-up, not at the first old button, when the wording file lacks a key.
    channelTexts(this.engine.index.kb);
  }

  /**
   * Answers one inbound message after the chat's earlier ones. Resolves when it is answered
   * (and sent, on a push platform); never rejects — a failure is logged and answered with
   * the error reply.
   */
  receive(inbound: Inbound): Promise<Outcome> {
    const key = inbound.messageId === undefined ? undefined : `${inbound.chatId}:${inbound.messageId}`;
    if (key !== undefined && !this.seen.firstHere(key)) return Promise.resolve(this.duplicate());
    return this.queue.run(inbound.chatId, async () => {
      // Another instance sharing the store may have answered this delivery already.
      if (key !== undefined && !(await this.firstAnywhere(key))) return this.duplicate();
      return this.answer(inbound);
    });
  }

  /**
   * For transports that de-duplicate before they know the chat (Telegram's middleware sees
   * every update, officers' too): true the first time `key` is seen here or by an instance
   * sharing the store. Scope the key yourself (e.g. bot id + chat + message id).
   */
  async firstDelivery(key: string): Promise<boolean> {
    return this.seen.firstHere(key) && (await this.firstAnywhere(key));
  }

  /** The store's half of the redelivery check; a store that cannot answer must not silence the channel. */
  private firstAnywhere(key: string): Promise<boolean> {
    return this.seen.firstAnywhere(key).catch((err: unknown) => {
      this.logger?.warn({ channel: this.channel.name, err: describe(err) }, "redelivery check failed, answering anyway");
      return true;
    });
  }

  /** Waits until every message received so far is answered (shutting down). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  private duplicate(): Outcome {
    this.logger?.debug({ channel: this.channel.name }, "duplicate delivery ignored");
    return { kind: "duplicate" };
  }

  private async answer(inbound: Inbound): Promise<Outcome> {
    const started = performance.now();
    const { name, output } = this.channel;
    let event = inbound.withheld ? "withheld" : inbound.choice ? "button" : inbound.text === null ? "media" : "text";
    try {
      let reply: Reply;
      const resolved = inbound.withheld ? undefined : await this.memory.resolve(inbound.chatId, inbound);
      if (inbound.withheld) reply = this.fixed(this.engine.replies.handoff, "handoff");
      else if (resolved === "expired") reply = this.fixed(channelTexts(this.engine.index.kb).choice_expired, "help");
      else {
        if (resolved!.picked && event === "text") event = "number";
        reply = await this.withTyping(inbound.chatId, () => this.engine.handle({ channel: name, userId: inbound.userId, text: resolved!.text }));
      }
      const replyId = newReplyId();
      await this.memory.remember(inbound.chatId, replyId, reply.suggestions);
      const parts = output ? await this.send(inbound.chatId, reply, replyId) : 0;
      this.logger?.info(
        {
          channel: name, event, intent: reply.intent, confident: reply.confident, citations: reply.citations.length,
          suggestions: reply.suggestions.length, parts, ms: Math.round(performance.now() - started),
        },
        "message answered",
      );
      return { kind: "answered", reply, replyId, parts };
    } catch (err) {
      this.logger?.error({ channel: name, event, err: describe(err) }, "message failed");
      const reply = this.fixed(this.engine.replies.error, "help");
      if (output) {
        await this.send(inbound.chatId, reply, newReplyId()).catch((e: unknown) => this.logger?.warn({ channel: name, err: describe(e) }, "error reply not sent"));
      }
      return { kind: "failed", reply };
    }
  }

  /** Renders, splits to the platform's limit and sends; the attachment goes under the last part. */
  private async send(chatId: string, reply: Reply, replyId: string): Promise<number> {
    const output = this.channel.output!;
    const rendered = output.render(reply, replyId);
    const parts = splitMessage(rendered.text, output.split);
    for (const [i, part] of parts.entries()) await output.send(chatId, part, i === parts.length - 1 ? rendered.attach : undefined);
    return parts.length;
  }

  /** "typing…" only when an answer takes a while: most take milliseconds, and an extra call per message halves throughput under load. */
  private async withTyping<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const typing = this.channel.output?.typing;
    if (!typing) return work();
    const timer = setTimeout(() => void typing(chatId).catch(() => undefined), this.typingDelayMs);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
    }
  }

  private fixed(text: string, intent: Reply["intent"]): Reply {
    return { text, citations: [], suggestions: [], intent, confident: false };
  }
}

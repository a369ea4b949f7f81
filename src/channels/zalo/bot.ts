/**
 * The Zalo channel over the Zalo Bot platform's Bot API: long polling (development) or a
 * webhook (production). This file only translates: a Zalo update becomes an `Inbound`
 * (text; images and stickers as media; `message.unsupported.received`, protected users
 * with no content, as withheld), and a `Reply` becomes plain text with its suggestions as
 * numbered options, since Zalo has no buttons. The channel runtime (../runtime.ts) does
 * the rest: de-duplication on `message_id` (getUpdates has no update id or offset, and
 * deliveries can repeat), per-chat ordering, "1", "2"… picking the last options shown,
 * splitting under 2,000 characters, the error reply, and logs without message text.
 *
 * @example
 * const bot = createZaloBot({ token, engine, store, webhookSecret });
 * void bot.start();                                   // long polling, or:
 * web.route("/zalo/webhook", bot.webhookHandler());   // then bot.setWebhook("https://…/zalo/webhook")
 * await bot.stop();                                   // finishes in-flight messages
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Reply } from "../../contract.ts";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { renderPlain } from "../render.ts";
import { ChannelRuntime, type ChannelEngine, type Inbound } from "../runtime.ts";
import { channelTexts } from "../texts.ts";
import { ZALO_EVENTS, ZALO_MAX_CHARS, ZaloApi, ZaloApiError, zaloUpdateSchema, type ZaloUpdate } from "./api.ts";

/** The header Zalo sends with every webhook delivery. */
export const ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token";
/** Numbered options are remembered this long per chat. */
const OPTIONS_TTL_MS = 24 * 3600 * 1000;
const SEND_ATTEMPTS = 5;
/** Longest option label shown; the full text is what a number sends. */
const OPTION_LABEL_CHARS = 120;

export interface ZaloBotOptions {
  token: string;
  engine: ChannelEngine;
  store: KeyValueStore;
  /** Default https://bot-api.zaloplatforms.com (ZALO_API_ROOT). */
  apiRoot?: string;
  logger?: Logger;
  /** ZALO_WEBHOOK_SECRET (8–256 characters): needed for webhookHandler() and setWebhook(). */
  webhookSecret?: string;
  /** Longest message sent; default (and most) 2,000. Smaller values are for tests. */
  maxChars?: number;
  /** Long-polling wait in seconds. Default 30. */
  pollTimeoutSeconds?: number;
}

export interface ZaloBot {
  readonly api: ZaloApi;
  /** Long polling until stop(); rejects when the token is refused. */
  start(): Promise<void>;
  /** Stops polling and waits for messages being answered (polling and webhook). */
  stop(): Promise<void>;
  /** A Hono app answering `POST /`: mount it, e.g. `app.route("/zalo/webhook", bot.webhookHandler())`. */
  webhookHandler(): Hono;
  /** Registers the webhook with Zalo (uses webhookSecret). Polling stops working while it is set. */
  setWebhook(url: string): Promise<void>;
  /** One update, as polling and the webhook deliver it (tests, other transports). */
  handleUpdate(update: ZaloUpdate): Promise<void>;
}

/** "Gõ số để hỏi tiếp:\n1. …\n2. …": the header (prompts/channels.yaml) over numbered labels. */
export function numberedOptions(suggestions: string[], header: string): string {
  const label = (s: string) => (s.length > OPTION_LABEL_CHARS ? `${s.slice(0, OPTION_LABEL_CHARS - 1)}…` : s);
  return [header, ...suggestions.map((s, i) => `${i + 1}. ${label(s)}`)].join("\n");
}

/** The reply as Zalo text: renderPlain, then the suggestions as numbered options. */
export function renderZalo(reply: Reply, kb: KnowledgeBase): string {
  const body = renderPlain(reply, kb);
  if (!reply.suggestions.length) return body;
  const texts = channelTexts(kb).zalo;
  // When the reply asks a question, its options are answers to pick.
  const header = /\?\s*$/.test(reply.text) ? texts.choices_header : texts.options_header;
  return `${body}\n\n${numberedOptions(reply.suggestions, header)}`;
}

/** A Zalo update as the runtime's inbound message; undefined for what the assistant does not answer (groups). */
export function toInbound(update: ZaloUpdate): Inbound | undefined {
  const message = update.message;
  if (!message) return undefined;
  // Group chats are announced for later; the assistant talks one to one.
  if (message.chat.chat_type && message.chat.chat_type.toUpperCase() !== "PRIVATE") return undefined;
  const base = { chatId: message.chat.id, userId: message.from.id, messageId: message.message_id };
  if (update.event_name === ZALO_EVENTS.text) return { ...base, text: message.text ?? "" };
  // No content at all (protected users): a short generic reply with the way to an officer.
  if (update.event_name === ZALO_EVENTS.unsupported) return { ...base, text: null, withheld: true };
  return { ...base, text: null };
}

/** The update inside a webhook body, wrapped `{ ok, result: {…} }` or not. */
export function readWebhookBody(raw: unknown): ZaloUpdate | undefined {
  const inner = raw && typeof raw === "object" && "result" in raw && (raw as { result: unknown }).result && typeof (raw as { result: unknown }).result === "object"
    ? (raw as { result: unknown }).result
    : raw;
  const parsed = zaloUpdateSchema.safeParse(inner);
  return parsed.success ? parsed.data : undefined;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createZaloBot(options: ZaloBotOptions): ZaloBot {
  const { engine, store, logger } = options;
  const api = new ZaloApi(options.token, { apiRoot: options.apiRoot });
  const maxChars = Math.min(options.maxChars ?? ZALO_MAX_CHARS, ZALO_MAX_CHARS);
  const pollTimeout = options.pollTimeoutSeconds ?? 30;
  const secret = options.webhookSecret;
  if (secret !== undefined && (secret.length < 8 || secret.length > 256)) {
    throw new Error("ZALO_WEBHOOK_SECRET must be 8–256 characters.");
  }

  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  /** One message to Zalo, retried on 429 and server errors (Zalo's transport, like auto-retry for Telegram). */
  async function send(chatId: string, text: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await api.sendMessage({ chat_id: chatId, text });
        return;
      } catch (err) {
        if (!(err instanceof ZaloApiError) || !err.retryable || attempt >= SEND_ATTEMPTS) throw err;
        const wait = err.retryAfter !== undefined ? err.retryAfter * 1000 : Math.min(500 * 2 ** (attempt - 1), 8000);
        logger?.warn({ channel: "zalo", code: err.code, attempt, waitMs: wait }, "zalo sendMessage retry");
        await sleep(wait);
      }
    }
  }

  const runtime = new ChannelRuntime(
    {
      name: "zalo",
      choices: "numbers",
      choiceTtlMs: OPTIONS_TTL_MS,
      output: {
        split: { max: maxChars },
        render: (reply) => ({ text: renderZalo(reply, engine.index.kb) }),
        send: (chatId, text) => send(chatId, text),
      },
    },
    { engine, store, logger },
  );

  /** De-duplicated and answered after the chat's earlier messages, by the runtime. */
  async function handleUpdate(update: ZaloUpdate): Promise<void> {
    const inbound = toInbound(update);
    if (!inbound) {
      logger?.debug({ channel: "zalo", event: update.event_name, chatType: update.message?.chat.chat_type }, "zalo update ignored");
      return;
    }
    await runtime.receive(inbound);
  }

  const drain = () => runtime.drain();

  async function poll(signal: AbortSignal): Promise<void> {
    let backoff = 0;
    while (!signal.aborted) {
      let update: ZaloUpdate | null;
      try {
        update = await api.getUpdates({ timeout: pollTimeout }, signal);
        backoff = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof ZaloApiError && (err.isAuth || err.code === 404)) throw err;
        backoff = err instanceof ZaloApiError && err.retryAfter !== undefined ? err.retryAfter * 1000 : Math.min(Math.max(1000, backoff * 2), 30_000);
        logger?.warn({ channel: "zalo", err: errorText(err), waitMs: backoff }, "zalo getUpdates failed");
        await sleep(backoff, signal);
        continue;
      }
      if (update) void handleUpdate(update);
    }
  }

  return {
    api,
    handleUpdate,

    async start() {
      if (loop) throw new Error("Zalo bot already polling");
      abort = new AbortController();
      const signal = abort.signal;
      loop = (async () => {
        // getUpdates does not work while a webhook is set.
        await api.deleteWebhook().catch((err: unknown) => {
          if (err instanceof ZaloApiError && (err.isAuth || err.code === 404)) throw err;
          logger?.warn({ channel: "zalo", err: errorText(err) }, "zalo deleteWebhook failed");
        });
        logger?.info({ channel: "zalo" }, "zalo bot polling");
        await poll(signal);
      })();
      try {
        await loop;
      } finally {
        loop = undefined;
        await drain();
      }
    },

    async stop() {
      abort?.abort();
      await loop?.catch(() => undefined);
      await drain();
    },

    webhookHandler() {
      if (!secret) throw new Error("Zalo webhook needs ZALO_WEBHOOK_SECRET (8–256 characters), the secret_token given to setWebhook.");
      const expected = digest(secret);
      const app = new Hono();
      app.post(
        "/",
        bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.json({ ok: false, description: "body too large" }, 413) }),
        async (c) => {
          const given = c.req.header(ZALO_SECRET_HEADER);
          if (given === undefined || !timingSafeEqual(digest(given), expected)) {
            logger?.warn({ channel: "zalo" }, "zalo webhook: wrong or missing secret header");
            return c.json({ ok: false, description: "Unauthorized" }, 401);
          }
          const update = readWebhookBody(await c.req.json().catch(() => undefined));
          if (!update) return c.json({ ok: false, description: "not a Zalo Bot update" }, 400);
          await handleUpdate(update);
          return c.json({ ok: true });
        },
      );
      return app;
    },

    async setWebhook(url: string) {
      if (!secret) throw new Error("setWebhook needs ZALO_WEBHOOK_SECRET (8–256 characters).");
      await api.setWebhook({ url, secret_token: secret });
    },
  };
}

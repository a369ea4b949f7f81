/**
 * The Zalo channel over the Zalo Bot platform's Bot API: long polling (development) or a
 * webhook (production). Text goes to the engine; images and stickers get the engine's
 * "text only" reply; `message.unsupported.received` (protected users, no content) gets
 * the fixed hand-off reply. Replies are plain text, split under 2,000 characters at line
 * boundaries. Zalo has no buttons, so suggestions become numbered options; they are kept
 * per chat in the store, and a reply of just "1", "2"… sends that suggestion's text.
 *
 * `getUpdates` returns one update with no update id or offset, and deliveries can repeat:
 * updates are de-duplicated on `message_id` (in memory and in the store, so instances
 * sharing a store agree). Per chat, messages are answered in order; chats run in parallel.
 * Logs carry event kinds, intents and timings — never message text, names or phone numbers.
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
import type { Engine } from "../../engine/engine.ts";
import type { Reply } from "../../contract.ts";
import type { Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { renderPlain } from "../render.ts";
import { ZALO_EVENTS, ZALO_MAX_CHARS, ZaloApi, ZaloApiError, zaloUpdateSchema, type ZaloMessage, type ZaloUpdate } from "./api.ts";

/** The header Zalo sends with every webhook delivery. */
export const ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token";
/** Numbered options are remembered this long per chat. */
const SUGGESTION_TTL_MS = 24 * 3600 * 1000;
/** A message id is remembered this long to drop repeated deliveries. */
const SEEN_TTL_MS = 24 * 3600 * 1000;
const SEEN_IN_MEMORY = 10_000;
const SEND_ATTEMPTS = 5;
/** Longest option label shown; the full text is what a number sends. */
const OPTION_LABEL_CHARS = 120;

const OPTIONS_HEADER = "Gõ số để hỏi tiếp:";
/** When the reply asks a question, its options are answers to pick. */
const CHOICES_HEADER = "Gõ số để chọn:";

export interface ZaloBotOptions {
  token: string;
  engine: Engine;
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

/**
 * Splits text into messages of at most `max` characters at line boundaries; a line longer
 * than `max` is cut at a sentence end, else at a space, else hard (never inside a surrogate pair).
 */
export function splitMessage(text: string, max = ZALO_MAX_CHARS): string[] {
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const t = current.trim();
    if (t) parts.push(t);
    current = "";
  };
  for (const line of text.split("\n")) {
    for (const piece of line.length > max ? splitLine(line, max) : [line]) {
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

function splitLine(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(...[". ", "? ", "! ", "; ", "… "].map((p) => window.lastIndexOf(p))) + 1;
    if (cut < max / 2) cut = window.lastIndexOf(" ");
    if (cut < max / 2) {
      cut = max;
      const code = rest.charCodeAt(max - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut = max - 1;
    }
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/** "Gõ số để hỏi tiếp:\n1. …\n2. …" (or "Gõ số để chọn:" under a question). */
export function numberedOptions(suggestions: string[], question = false): string {
  const label = (s: string) => (s.length > OPTION_LABEL_CHARS ? `${s.slice(0, OPTION_LABEL_CHARS - 1)}…` : s);
  return [question ? CHOICES_HEADER : OPTIONS_HEADER, ...suggestions.map((s, i) => `${i + 1}. ${label(s)}`)].join("\n");
}

/** The reply as Zalo text: renderPlain, then the suggestions as numbered options. */
function renderZalo(reply: Reply, kb: Parameters<typeof renderPlain>[1]): string {
  const body = renderPlain(reply, kb);
  if (!reply.suggestions.length) return body;
  return `${body}\n\n${numberedOptions(reply.suggestions, /\?\s*$/.test(reply.text))}`;
}

/** "1", " 2 ", "2.", "số 3" → that saved suggestion; anything else → undefined. */
export function pickSuggestion(text: string, saved: string[] | undefined): string | undefined {
  if (!saved?.length) return undefined;
  const n = /^\s*(?:s[oố]\s*)?(\d{1,2})\s*[.)]?\s*$/i.exec(text)?.[1];
  return n === undefined ? undefined : saved[Number(n) - 1];
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

  const seen = new Set<string>();
  const chains = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

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

  async function answer(message: ZaloMessage, event: string): Promise<void> {
    const chatId = message.chat.id;
    const started = performance.now();
    const kind = event === ZALO_EVENTS.text ? "text" : event === ZALO_EVENTS.unsupported ? "unsupported" : "media";
    try {
      let reply: Reply;
      if (kind === "unsupported") {
        // No content (protected users): a short generic reply with the way to an officer.
        reply = { text: engine.replies.handoff, citations: [], suggestions: [], intent: "handoff", confident: false };
      } else {
        let text: string | null = null;
        if (kind === "text") {
          text = message.text ?? "";
          const picked = pickSuggestion(text, await store.get<string[]>(`zalo:sugg:${chatId}`));
          if (picked !== undefined) text = picked;
        }
        reply = await engine.handle({ channel: "zalo", userId: message.from.id, text });
      }
      // Numbers refer to the last options shown; without options a number is just text.
      if (reply.suggestions.length) await store.set(`zalo:sugg:${chatId}`, reply.suggestions, SUGGESTION_TTL_MS);
      else await store.delete(`zalo:sugg:${chatId}`);
      const parts = splitMessage(renderZalo(reply, engine.index.kb), maxChars);
      for (const part of parts) await send(chatId, part);
      logger?.info(
        { channel: "zalo", event: kind, intent: reply.intent, confident: reply.confident, parts: parts.length, ms: Math.round(performance.now() - started) },
        "message answered",
      );
    } catch (err) {
      logger?.error({ channel: "zalo", event: kind, err: errorText(err) }, "zalo update failed");
      await api.sendMessage({ chat_id: chatId, text: engine.replies.error }).catch(() => undefined);
    }
  }

  /** De-duplicates, then answers after the chat's earlier messages. */
  function handleUpdate(update: ZaloUpdate): Promise<void> {
    const message = update.message;
    if (!message) return Promise.resolve();
    if (message.chat.chat_type && message.chat.chat_type.toUpperCase() !== "PRIVATE") {
      // Group chats are announced for later; the assistant talks one to one.
      logger?.debug({ channel: "zalo", chatType: message.chat.chat_type }, "zalo group message ignored");
      return Promise.resolve();
    }
    const id = message.message_id;
    if (seen.has(id)) {
      logger?.debug({ channel: "zalo" }, "zalo duplicate ignored");
      return Promise.resolve();
    }
    seen.add(id);
    if (seen.size > SEEN_IN_MEMORY) seen.delete(seen.values().next().value!);

    const chatId = message.chat.id;
    const previous = chains.get(chatId) ?? Promise.resolve();
    const work = previous.then(async () => {
      // Another instance sharing the store may have answered this delivery already.
      const key = `zalo:seen:${id}`;
      if (await store.get<boolean>(key)) {
        logger?.debug({ channel: "zalo" }, "zalo duplicate ignored");
        return;
      }
      await store.set(key, true, SEEN_TTL_MS);
      await answer(message, update.event_name);
    }).catch((err: unknown) => logger?.error({ channel: "zalo", err: errorText(err) }, "zalo update failed"));
    chains.set(chatId, work);
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      if (chains.get(chatId) === work) chains.delete(chatId);
    });
    return work;
  }

  async function drain(): Promise<void> {
    while (inFlight.size) await Promise.allSettled([...inFlight]);
  }

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

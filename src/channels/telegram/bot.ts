/**
 * The Telegram channel with grammY: text and commands go to the engine, anything else
 * (stickers, photos, voice) gets a short "text only" reply. Replies use HTML parse mode
 * with every user and document string escaped. Suggestions become inline buttons whose
 * payload is an index into the chat's last suggestions, kept in the store (Telegram
 * limits callback data to 64 bytes).
 *
 * @example
 * const bot = createTelegramBot({ token, engine, store, apiRoot: "http://127.0.0.1:8081" });
 * await bot.start(); // long polling
 */
import { Bot, InlineKeyboard, type Context } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { limit } from "@grammyjs/ratelimiter";
import type { UserFromGetMe } from "grammy/types";
import type { Engine } from "../../engine/engine.ts";
import type { Reply } from "../../contract.ts";
import type { Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { renderTelegramHtml } from "../render.ts";
import { officerComposer, type OfficerOptions } from "./officers.ts";

/** Telegram's limit for one message. */
export const TELEGRAM_MAX_CHARS = 4096;
/** Per person: this many messages per window, then a polite "slow down" (once per window). */
export const RATE_LIMIT = { messages: 8, windowMs: 10_000 };
/** Show "typing…" when an answer is not ready after this long. */
export const TYPING_DELAY_MS = 300;
/** Update ids remembered to drop a redelivered update (Telegram retries after timeouts). */
const SEEN_UPDATES = 2048;

/**
 * Splits HTML into messages under Telegram's limit at blank lines, then lines (our tags
 * never span lines, so every piece stays well-formed); a single over-long line is cut at
 * a space.
 */
export function splitForTelegram(html: string, max = TELEGRAM_MAX_CHARS): string[] {
  const out: string[] = [];
  let current = "";
  const push = (piece: string) => {
    if (!current) current = piece;
    else if (current.length + 1 + piece.length <= max) current += `\n${piece}`;
    else {
      out.push(current);
      current = piece;
    }
  };
  for (const line of html.split("\n")) {
    if (line.length <= max) {
      push(line);
      continue;
    }
    // A line longer than a message: plain text from a user or a document, cut at spaces.
    let rest = line;
    while (rest.length > max) {
      const cut = rest.lastIndexOf(" ", max) > max / 2 ? rest.lastIndexOf(" ", max) : max;
      // Never cut inside an HTML entity ("&amp;").
      const amp = rest.lastIndexOf("&", cut);
      const safe = amp > cut - 8 && rest.indexOf(";", amp) >= cut ? amp : cut;
      push(rest.slice(0, safe));
      rest = rest.slice(safe).trimStart();
    }
    if (rest) push(rest);
  }
  if (current) out.push(current);
  return out;
}
const SUGGESTION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface TelegramBotOptions {
  token: string;
  engine: Engine;
  store: KeyValueStore;
  apiRoot?: string;
  logger?: Logger;
  /** Skips the getMe call at start-up (tests). */
  botInfo?: UserFromGetMe;
  /** The officers' side in office groups; without it the bot stays out of every group. */
  officers?: Omit<OfficerOptions, "registration" | "kb" | "logger">;
}

/** Buttons for one label each, one per row (labels are short questions). */
function suggestionKeyboard(suggestions: string[]): InlineKeyboard | undefined {
  if (!suggestions.length) return undefined;
  const kb = new InlineKeyboard();
  suggestions.forEach((s, i) => kb.text(s.length > 60 ? `${s.slice(0, 59)}…` : s, `s:${i}`).row());
  return kb;
}

export function createTelegramBot(options: TelegramBotOptions): Bot {
  const { engine, store, logger } = options;
  const bot = new Bot(options.token, {
    client: options.apiRoot ? { apiRoot: options.apiRoot } : undefined,
    botInfo: options.botInfo,
  });
  // 429 (retry_after) and 5xx answers are retried by the API client, for every call.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  // One chat's updates in order, different chats in parallel (with @grammyjs/runner).
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  // Telegram may deliver an update twice (after a timeout); answer it once.
  const seen = new Set<number>();
  bot.use(async (ctx, next) => {
    if (seen.has(ctx.update.update_id)) return;
    seen.add(ctx.update.update_id);
    if (seen.size > SEEN_UPDATES) seen.delete(seen.values().next().value!);
    await next();
  });
  // Over the limit: one polite reply per person per window, the rest dropped silently.
  const warned = new Map<string, number>();
  bot.use(
    limit({
      timeFrame: RATE_LIMIT.windowMs,
      limit: RATE_LIMIT.messages,
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      onLimitExceeded: async (ctx) => {
        const key = String(ctx.from?.id);
        const now = Date.now();
        if ((warned.get(key) ?? 0) > now - RATE_LIMIT.windowMs) return;
        warned.set(key, now);
        if (warned.size > SEEN_UPDATES) warned.delete(warned.keys().next().value!);
        if (ctx.chat?.type === "private") await ctx.reply(engine.replies.slow_down).catch(() => undefined);
      },
    }),
  );

  async function answer(ctx: Context, text: string | null): Promise<void> {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const started = performance.now();
    // "typing…" only when an answer takes a while: most take milliseconds, and an extra API
    // call per message halves throughput under load (eval/load.md).
    const typing = setTimeout(() => void ctx.replyWithChatAction("typing").catch(() => undefined), TYPING_DELAY_MS);
    const reply: Reply = await engine.handle({ channel: "telegram", userId: String(ctx.from?.id ?? chatId), text }).finally(() => clearTimeout(typing));
    const html = renderTelegramHtml(reply, engine.index.kb);
    if (reply.suggestions.length) await store.set(`tg:sugg:${chatId}`, reply.suggestions, SUGGESTION_TTL_MS);
    const parts = splitForTelegram(html);
    for (const [i, part] of parts.entries()) {
      await ctx.reply(part, {
        parse_mode: "HTML",
        // Buttons go under the last part, where the person finishes reading.
        reply_markup: i === parts.length - 1 ? suggestionKeyboard(reply.suggestions) : undefined,
        link_preview_options: { is_disabled: true },
      });
    }
    logger?.info(
      { channel: "telegram", intent: reply.intent, confident: reply.confident, ms: Math.round(performance.now() - started) },
      "message answered",
    );
  }

  if (options.officers && engine.registration) {
    bot.use(officerComposer({ ...options.officers, registration: engine.registration, kb: engine.index.kb, logger }));
  }
  // The assistant talks to people one to one; a group it is not an office of gets nothing.
  bot.chatType(["group", "supergroup", "channel"]).use(() => undefined);

  bot.on("message:text", (ctx) => answer(ctx, ctx.message.text));
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery();
    const index = /^s:(\d)$/.exec(ctx.callbackQuery.data)?.[1];
    const chatId = ctx.chat?.id;
    const saved = chatId !== undefined ? await store.get<string[]>(`tg:sugg:${chatId}`) : undefined;
    const question = index !== undefined ? saved?.[Number(index)] : undefined;
    // An old button whose suggestions expired is answered like an empty message.
    await answer(ctx, question ?? "");
  });
  // Stickers, photos, voice, locations…: a text-only assistant says so.
  bot.on("message", (ctx) => answer(ctx, null));

  bot.catch((err) => {
    logger?.error({ err: err.error instanceof Error ? err.error.message : String(err.error), update: err.ctx.update.update_id }, "telegram update failed");
    const chatId = err.ctx.chat?.id;
    if (chatId !== undefined) {
      err.ctx.api.sendMessage(chatId, engine.replies.error).catch(() => undefined);
    }
  });
  return bot;
}

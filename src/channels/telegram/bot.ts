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
import type { UserFromGetMe } from "grammy/types";
import type { Engine } from "../../engine/engine.ts";
import type { Reply } from "../../engine/types.ts";
import type { Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { renderTelegramHtml } from "../render.ts";
import { officerComposer, type OfficerOptions } from "./officers.ts";

/** Telegram's limit for one message. */
export const TELEGRAM_MAX_CHARS = 4096;
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
export function suggestionKeyboard(suggestions: string[]): InlineKeyboard | undefined {
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

  async function answer(ctx: Context, text: string | null): Promise<void> {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const started = performance.now();
    const reply: Reply = await engine.handle({ channel: "telegram", userId: String(ctx.from?.id ?? chatId), text });
    const html = renderTelegramHtml(reply, engine.replies);
    if (reply.suggestions.length) await store.set(`tg:sugg:${chatId}`, reply.suggestions, SUGGESTION_TTL_MS);
    await ctx.reply(html.length > TELEGRAM_MAX_CHARS ? `${html.slice(0, TELEGRAM_MAX_CHARS - 1)}…` : html, {
      parse_mode: "HTML",
      reply_markup: suggestionKeyboard(reply.suggestions),
      link_preview_options: { is_disabled: true },
    });
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

/**
 * The Telegram channel with grammY. This file only translates: a Telegram update becomes
 * an `Inbound` (text and commands; a pressed button as its choice; stickers, photos, voice
 * as media), and a `Reply` becomes HTML (every user and document string escaped) with its
 * suggestions as inline buttons. Each button's callback data names the reply that showed it
 * and its index (`c:<reply id>:<index>`, under Telegram's 64 bytes for any number of
 * buttons), so a button under an older message sends that message's choice.
 *
 * Shared with other channels, in the channel runtime (../runtime.ts): de-duplication of
 * redelivered updates, choice memory, splitting under 4,096 characters, "typing…", the
 * error reply, logs without text. Telegram's own transport stays grammY's: runner and
 * sequentialize (each chat in order), auto-retry (429, 5xx), the rate limiter, and
 * webhookCallback in main.ts.
 *
 * @example
 * const bot = createTelegramBot({ token, engine, store, apiRoot: "http://127.0.0.1:8081" });
 * await bot.start(); // long polling
 */
import { Bot, InlineKeyboard, type Context } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { limit } from "@grammyjs/ratelimiter";
import type { BotCommand, UserFromGetMe } from "grammy/types";
import type { Engine } from "../../engine/engine.ts";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { maskPhone, type Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { choicePayload, readChoicePayload } from "../choices.ts";
import { renderTelegramHtml } from "../render.ts";
import { ChannelRuntime, type Inbound } from "../runtime.ts";
import { channelTexts } from "../texts.ts";
import { officerComposer, type OfficerOptions } from "./officers.ts";

/** Telegram's limit for one message. */
export const TELEGRAM_MAX_CHARS = 4096;
/** Telegram's limit for a button's callback data, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** Per person: this many messages per window, then a polite "slow down" (once per window). */
export const RATE_LIMIT = { messages: 8, windowMs: 10_000 };
/** Show "typing…" when an answer is not ready after this long. */
export const TYPING_DELAY_MS = 300;
/** People warned about the rate limit, remembered (oldest forgotten first). */
const WARNED_MAX = 2048;
/** Buttons work this long after their message was sent. */
const CHOICE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Longest button label; the full suggestion is what a press sends. */
const BUTTON_LABEL_CHARS = 60;

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

/** One button per suggestion, one per row (labels are short questions), each naming its reply and index. */
export function choiceKeyboard(suggestions: readonly string[], replyId: string): InlineKeyboard | undefined {
  if (!suggestions.length) return undefined;
  const kb = new InlineKeyboard();
  suggestions.forEach((s, index) => {
    const data = choicePayload({ replyId, index });
    // Cannot happen with 8-character reply ids; a loud failure beats a button Telegram rejects.
    if (Buffer.byteLength(data) > CALLBACK_DATA_MAX_BYTES) throw new Error(`callback data "${data}" is over Telegram's ${CALLBACK_DATA_MAX_BYTES} bytes: shorten reply ids`);
    kb.text(s.length > BUTTON_LABEL_CHARS ? `${s.slice(0, BUTTON_LABEL_CHARS - 1)}…` : s, data).row();
  });
  return kb;
}

/** The command menu Telegram shows next to the text box (prompts/channels.yaml). */
export function commandMenu(kb: KnowledgeBase): BotCommand[] {
  return channelTexts(kb).telegram.commands.map(({ command, description }) => ({ command, description }));
}

/**
 * A key naming one delivery, for the redelivery filter: the same message or button press
 * delivered twice gets the same key. Scoped by the bot's id (the token's first part), so
 * bots sharing a store do not drop each other's updates; messages by chat and message id
 * (unique per bot), so bots restarted with a fresh update counter stay apart too.
 */
function deliveryKey(botId: string, ctx: Context): string {
  const u = ctx.update;
  if (u.message) return `${botId}:${u.message.chat.id}:m${u.message.message_id}`;
  if (u.callback_query) return `${botId}:cb${u.callback_query.id}`;
  return `${botId}:u${u.update_id}`;
}

export function createTelegramBot(options: TelegramBotOptions): Bot {
  const { engine, store, logger } = options;
  const bot = new Bot(options.token, {
    client: options.apiRoot ? { apiRoot: options.apiRoot } : undefined,
    botInfo: options.botInfo,
  });
  // 429 (retry_after) and 5xx answers are retried by the API client, for every call.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const runtime = new ChannelRuntime<InlineKeyboard>(
    {
      name: "telegram",
      choices: "buttons",
      choiceTtlMs: CHOICE_TTL_MS,
      output: {
        split: { max: TELEGRAM_MAX_CHARS, markup: "html" },
        render: (reply, replyId) => ({ text: renderTelegramHtml(reply, engine.index.kb), attach: choiceKeyboard(reply.suggestions, replyId) }),
        send: async (chatId, text, keyboard) => {
          await bot.api.sendMessage(chatId, text, { parse_mode: "HTML", reply_markup: keyboard, link_preview_options: { is_disabled: true } });
        },
        typing: (chatId) => bot.api.sendChatAction(chatId, "typing"),
      },
    },
    { engine, store, logger, typingDelayMs: TYPING_DELAY_MS },
  );

  // One chat's updates in order, different chats in parallel (with @grammyjs/runner).
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  // Telegram may deliver an update twice (after a timeout, or to another instance's webhook); answer it once.
  const botId = options.token.split(":")[0]!;
  bot.use(async (ctx, next) => {
    if (await runtime.firstDelivery(deliveryKey(botId, ctx))) await next();
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
        if (warned.size > WARNED_MAX) warned.delete(warned.keys().next().value!);
        if (ctx.chat?.type === "private") await ctx.reply(engine.replies.slow_down).catch(() => undefined);
      },
    }),
  );

  if (options.officers && engine.registration) {
    bot.use(officerComposer({ ...options.officers, registration: engine.registration, kb: engine.index.kb, logger }));
  }
  // The assistant talks to people one to one; a group it is not an office of gets nothing.
  bot.chatType(["group", "supergroup", "channel"]).use(() => undefined);

  /** The person and chat of an update (already de-duplicated above, so no message id). */
  const inbound = (ctx: Context, fields: Pick<Inbound, "text" | "choice">): Inbound | undefined => {
    const chatId = ctx.chat?.id;
    return chatId === undefined ? undefined : { chatId: String(chatId), userId: String(ctx.from?.id ?? chatId), ...fields };
  };
  const receive = async (message: Inbound | undefined) => {
    if (message) await runtime.receive(message);
  };

  bot.on("message:text", (ctx) => receive(inbound(ctx, { text: ctx.message.text })));
  bot.on("callback_query:data", async (ctx) => {
    await ctx.answerCallbackQuery();
    // An unreadable or expired payload is answered "this button is too old" by the runtime.
    await receive(inbound(ctx, { text: null, choice: readChoicePayload(ctx.callbackQuery.data) }));
  });
  // Stickers, photos, voice, locations…: a text-only assistant says so.
  bot.on("message", (ctx) => receive(inbound(ctx, { text: null })));

  // What the runtime does not handle (officers' commands, the rate limiter): log and apologise.
  bot.catch((err) => {
    const text = err.error instanceof Error ? err.error.message : String(err.error);
    logger?.error({ err: maskPhone(text).slice(0, 200), update: err.ctx.update.update_id }, "telegram update failed");
    const chatId = err.ctx.chat?.id;
    if (chatId !== undefined) {
      err.ctx.api.sendMessage(chatId, engine.replies.error).catch(() => undefined);
    }
  });
  return bot;
}

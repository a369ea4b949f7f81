import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookCallback } from "grammy";
import { Hono } from "hono";
import { createTelegramBot, RATE_LIMIT, TELEGRAM_MAX_CHARS, TYPING_DELAY_MS } from "../src/channels/telegram/bot.ts";
import { splitMessage } from "../src/channels/split.ts";
import type { KeyValueStore } from "../src/store/store.ts";
import { FakeTelegramApi } from "./fakes/telegram-api.ts";
import { realEngine, waitFor, startFakeTelegram } from "./helpers.ts";
let api: FakeTelegramApi;
let store: KeyValueStore;
let stopTelegram: () => Promise<void>;

beforeAll(async () => {
  ({ api, store, stop: stopTelegram } = await startFakeTelegram());
});

afterAll(() => stopTelegram());

describe("splitting long answers for Telegram", () => {
  it("keeps every piece under 4,096 characters, tags balanced and entities whole", () => {
    const html = [`<b>Nguồn:</b>`, ...Array.from({ length: 300 }, (_, i) => `• <i>Luật 69/2020/QH14, Điều ${i} &amp; khoản 1</i>`), "x ".repeat(5000)].join("\n");
    const parts = splitMessage(html, { max: TELEGRAM_MAX_CHARS, markup: "html" });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
      expect((p.match(/<i>/g) ?? []).length).toBe((p.match(/<\/i>/g) ?? []).length);
      expect(p).not.toMatch(/&[a-z]*$/);
    }
    expect(parts.join("\n").replace(/\s+/g, "")).toBe(html.replace(/\s+/g, ""));
  });
});

describe("Telegram hardening over the fake Bot API", () => {
  it("answers a redelivered update once", async () => {
    api.pushText(301, "xin chào");
    api.pushDuplicateOfLast();
    await waitFor(() => api.sentTo(301)[0]);
    api.pushText(301, "/start");
    await waitFor(() => (api.sentTo(301).length >= 2 ? true : undefined));
    expect(api.sentTo(301)).toHaveLength(2);
  });

  it("retries a 429 and a 500 from the API and still delivers the reply", async () => {
    api.failNext(429, 500);
    api.pushText(302, "/start");
    const [msg] = await waitFor(() => (api.sentTo(302).length ? api.sentTo(302) : undefined), 15_000);
    expect(msg!.text).toContain("Chào bạn");
  }, 20_000);

  it("slows down a flood from one person with one polite reply", async () => {
    for (let i = 0; i < RATE_LIMIT.messages + 5; i++) api.pushText(303, "xin chào");
    api.pushText(304, "/start"); // another person is not affected
    await waitFor(() => api.sentTo(304)[0]);
    await new Promise((r) => setTimeout(r, 300));
    const texts = api.sentTo(303).map((m) => m.text);
    expect(texts.filter((t) => t.includes("gửi nhanh quá"))).toHaveLength(1);
    expect(texts.length).toBe(RATE_LIMIT.messages + 1);
  });

  it("shows 'typing…' when an answer takes a while", async () => {
    const engine = await realEngine();
    // An engine that needs longer than the typing delay for this one answer.
    const slow = Object.create(engine, {
      handle: { value: async (m: Parameters<typeof engine.handle>[0]) => (await new Promise((r) => setTimeout(r, TYPING_DELAY_MS + 200)), engine.handle(m)) },
    }) as typeof engine;
    const slowApi = new FakeTelegramApi();
    await slowApi.start();
    const slowBot = createTelegramBot({ token: slowApi.token, engine: slow, store, apiRoot: slowApi.apiRoot });
    void slowBot.start({ drop_pending_updates: false });
    slowApi.pushText(305, "ky quy di dai loan bao nhieu");
    await waitFor(() => slowApi.sentTo(305)[0]);
    expect(slowApi.calls).toContain("sendChatAction");
    await slowBot.stop();
    await slowApi.stop();
  });
});

describe("webhook mode", () => {
  it("accepts updates only with the secret token", async () => {
    const hookBot = createTelegramBot({ token: api.token, engine: await realEngine(), store, apiRoot: api.apiRoot });
    await hookBot.init();
    const app = new Hono().post("/telegram/webhook", webhookCallback(hookBot, "hono", { secretToken: "s3cret-s3cret-s3cret" }));
    const update = { update_id: 990001, message: { message_id: 1, date: 0, chat: { id: 306, type: "private", first_name: "T" }, from: { id: 306, is_bot: false, first_name: "T" }, text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] } };
    const post = (secret?: string) =>
      app.request("/telegram/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify(update),
      });
    expect((await post("wrong")).status).toBe(401);
    expect((await post()).status).toBe(401);
    expect((await post("s3cret-s3cret-s3cret")).status).toBe(200);
    await waitFor(() => api.sentTo(306)[0]);
  });
});

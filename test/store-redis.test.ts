/**
 * Redis: the storage contract, and several instances sharing one server — a conversation
 * alternating between two engines, and two Telegram bots on webhooks sharing buttons.
 * Skipped without redis-server (XKLD_REQUIRE_REDIS=1, as `.ci/run` sets, makes it an error).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/store.ts";
import { Engine } from "../src/engine/engine.ts";
import { RegistrationService } from "../src/registration/service.ts";
import { loadRegistrationPrompts } from "../src/registration/form.ts";
import { runStoreContract } from "../src/testing/contracts/store.ts";
import { PROMPTS_DIR, realEngine } from "./helpers.ts";
import { redisAvailable, startRedis } from "./redis-server.ts";

let redis: { url: string; stop: () => Promise<void> } | undefined;
beforeAll(async () => {
  if (redisAvailable) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe.skipIf(!redisAvailable)(`redis${redisAvailable ? "" : " (skipped: apt-get install redis-server)"}`, () => {
  runStoreContract("redis", () => openStore(redis!.url), { durable: true });
});

describe.skipIf(!redisAvailable)("two instances sharing Redis", () => {
  it("keep one person's conversation consistent when messages alternate between them", async () => {
    const base = await realEngine();
    const instance = async () => {
      const kv = await openStore(redis!.url);
      const registration = new RegistrationService({ kb: base.index.kb, kv, prompts: loadRegistrationPrompts(PROMPTS_DIR), destinations: { offices: {} } });
      return { engine: new Engine(base.index, base.retriever, base.replies, kv, undefined, registration), kv };
    };
    const [a, b] = [await instance(), await instance()];
    const say = (e: Engine, text: string) => e.handle({ channel: "telegram", userId: "shared-1", text });
    // A fee check: asked on A, answered on B, then A.
    expect((await say(a.engine, "cty doi 4 thang luong tien dich vu co dung ko")).text).toContain("nước nào");
    expect((await say(b.engine, "Đài Loan")).text).toBe("Hợp đồng làm việc mấy năm?");
    expect((await say(a.engine, "3 năm")).text).toContain("vượt 1 tháng lương");
    // A registration split across both instances ends in one case.
    const steps = ["/dangky", "Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong", "thợ hàn", "Biết chút ít", "Không thuộc nhóm nào", "Buổi tối", "Bỏ qua", "Xác nhận"];
    let last = "";
    for (const [i, text] of steps.entries()) last = (await say(i % 2 ? b.engine : a.engine, text)).text;
    expect(last).toMatch(/DK-[2-9A-Z]{5}/);
    expect((await b.engine.registration!.store.list({})).length).toBe(1);
    await a.kv.close();
    await b.kv.close();
  });
});

describe.skipIf(!redisAvailable)("two Telegram instances on webhooks sharing Redis", () => {
  it("answer one person's messages and button presses alternately, state kept", async () => {
    const { webhookCallback } = await import("grammy");
    const { Hono } = await import("hono");
    const { createTelegramBot } = await import("../src/channels/telegram/bot.ts");
    const { FakeTelegramApi } = await import("../src/testing/fake-telegram-api.ts");
    const base = await realEngine();
    const api = new FakeTelegramApi();
    await api.start();
    const instances = await Promise.all(
      [0, 1].map(async () => {
        const kv = await openStore(redis!.url);
        const registration = new RegistrationService({ kb: base.index.kb, kv, prompts: loadRegistrationPrompts(PROMPTS_DIR), destinations: { offices: {} } });
        const engine = new Engine(base.index, base.retriever, base.replies, kv, undefined, registration);
        const bot = createTelegramBot({ token: api.token, engine, store: kv, apiRoot: api.apiRoot });
        await bot.init();
        const app = new Hono().post("/hook", webhookCallback(bot, "hono", { secretToken: "shared-secret-0123" }));
        return { app, kv };
      }),
    );
    let updateId = 5_000_000;
    const chat = 880_001;
    const from = { id: chat, is_bot: false, first_name: "T" };
    const post = (i: number, update: Record<string, unknown>) =>
      instances[i % 2]!.app.request("/hook", {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "shared-secret-0123" },
        body: JSON.stringify({ update_id: ++updateId, ...update }),
      });
    const text = (i: number, t: string) => post(i, { message: { message_id: updateId, date: 0, chat: { id: chat, type: "private", first_name: "T" }, from, text: t } });
    const press = (i: number, label: string) => {
      const button = api.sentTo(chat).at(-1)!.reply_markup!.inline_keyboard!.flat().find((b) => b.text === label)!;
      return post(i, { callback_query: { id: String(updateId), from, chat_instance: "1", data: button.callback_data, message: { message_id: 1, date: 0, chat: { id: chat, type: "private", first_name: "T" }, text: "…" } } });
    };
    await text(0, "cty doi 4 thang luong tien dich vu co dung ko");
    expect(api.sentTo(chat).at(-1)!.text).toContain("nước nào");
    await press(1, "Đài Loan"); // the button list was saved by instance 0, read by instance 1
    expect(api.sentTo(chat).at(-1)!.text).toContain("mấy năm");
    await press(0, "3 năm");
    expect(api.sentTo(chat).at(-1)!.text).toContain("vượt 1 tháng lương");
    await api.stop();
    for (const i of instances) await i.kv.close();
  });
});

import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createZaloBot, numberedOptions, readWebhookBody, ZALO_SECRET_HEADER, type ZaloBot } from "../src/channels/zalo/bot.ts";
import { pickNumber } from "../src/channels/choices.ts";
import { splitMessage as split } from "../src/channels/split.ts";
import { channelTexts } from "../src/channels/texts.ts";
import { ZaloApi, ZaloApiError, ZALO_MAX_CHARS } from "../src/channels/zalo/api.ts";
import { createLogger } from "../src/logger.ts";
import { openStore, type KeyValueStore } from "../src/store/store.ts";
import { FakeZaloApi, type ZaloSentMessage } from "./fakes/zalo-api.ts";
import { findChoice, runChannelContract, type Seen } from "../src/testing/contracts/channel.ts";
import { realEngine, waitFor } from "./helpers.ts";

const SECRET = "webhook-secret-for-tests-0123";
const logLines: string[] = [];
const logger = createLogger("debug", { write: (line: string) => (logLines.push(line), true) } as unknown as NodeJS.WritableStream);

let api: FakeZaloApi;
let store: KeyValueStore;
let polling: ZaloBot;
let pollingDone: Promise<void>;
/** Answers through the webhook (not polling) against the same fake API. */
let hooked: ZaloBot;

beforeAll(async () => {
  api = new FakeZaloApi();
  await api.start();
  store = await openStore("memory://");
  const engine = await realEngine();
  polling = createZaloBot({ token: api.token, engine, store, apiRoot: api.apiRoot, logger, pollTimeoutSeconds: 1 });
  pollingDone = polling.start();
  hooked = createZaloBot({ token: api.token, engine, store, apiRoot: api.apiRoot, logger, webhookSecret: SECRET, maxChars: 400 });
  await waitFor(() => (api.calls.includes("getUpdates") ? true : undefined));
});

afterAll(async () => {
  await polling.stop();
  await pollingDone;
  await hooked.stop();
  await api.stop();
  await store.close();
});

/** Waits until chat `id` has at least `n` messages. */
const sentTo = (id: string, n = 1) => waitFor(() => (api.sentTo(id).length >= n ? api.sentTo(id) : undefined));
/** The number in front of `label` in a numbered-options message. */
const optionNumber = (msg: ZaloSentMessage, label: string) => new RegExp(`^(\\d+)\\. ${label}$`, "m").exec(msg.text)?.[1];
const webhookPost = (body: unknown, secret?: string) =>
  hooked.webhookHandler().request("/", {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret !== undefined ? { [ZALO_SECRET_HEADER]: secret } : {}) },
    body: JSON.stringify(body),
  });

describe("Zalo bot over a fake Zalo Bot API (long polling)", () => {
  it("answers a question in plain text with its citations", async () => {
    api.pushText("u1", "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?");
    const [msg] = await sentTo("u1");
    expect(msg!.text).toContain("5.000");
    expect(msg!.text).toContain("Nguồn:\n- Kế hoạch Tỉnh ủy Lạng Sơn, Mục II, điểm 2 (đang có hiệu lực)");
    expect(msg!.text).not.toMatch(/<\/?[a-z]+>/i);
    expect(msg!.text.length).toBeLessThanOrEqual(ZALO_MAX_CHARS);
  });

  it("shows suggestions as numbered options, and a reply of just \"1\" asks the first", async () => {
    api.pushText("u2", "phi dich vu toi da bao nhieu");
    const [first] = await sentTo("u2");
    const options = /Gõ số để hỏi tiếp:\n1\. (.+)\n2\. (.+)/.exec(first!.text);
    expect(options, first!.text).not.toBeNull();
    const direct = await (await realEngine()).handle({ channel: "cli", userId: "compare", text: options![1]! });
    api.pushText("u2", "1");
    const msgs = await sentTo("u2", 2);
    expect(msgs[1]!.text.startsWith(direct.text)).toBe(true);
    expect(msgs[1]!.text).not.toMatch(/chưa gõ câu hỏi/);
  });

  it("passes a number through as text when no options are pending", async () => {
    api.pushText("u3", "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?");
    await sentTo("u3");
    await store.delete("zalo:sugg:u3");
    api.pushText("u3", "7");
    const msgs = await sentTo("u3", 2);
    expect(msgs[1]!.text.length).toBeGreaterThan(0);
    expect(msgs[1]!.text).not.toContain("5.000 lao động");
  });

  it("answers a sticker and an image with the text-only note, and a protected user with the hand-off", async () => {
    api.push(api.message("u4", "message.sticker.received", { sticker: "abc", url: "https://example.invalid/s.webp" }));
    api.push(api.message("u4", "message.image.received", { photo_url: "https://example.invalid/p.jpg" }));
    api.push(api.message("u4", "message.unsupported.received"));
    const msgs = await sentTo("u4", 3);
    expect(msgs[0]!.text).toMatch(/chỉ đọc được tin nhắn chữ/);
    expect(msgs[1]!.text).toMatch(/chỉ đọc được tin nhắn chữ/);
    expect(msgs[2]!.text).toMatch(/cán bộ/);
  });

  it("ignores a repeated delivery of the same message id", async () => {
    const update = api.pushText("u5", "xin chào");
    api.push(structuredClone(update));
    api.pushText("u5", "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?");
    const msgs = await sentTo("u5", 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.sentTo("u5")).toHaveLength(2);
    expect(msgs[1]!.text).toContain("5.000");
  });

  it("runs a fee check through numbered options to a verdict", async () => {
    api.pushText("u6", "cty doi 4 thang luong tien dich vu co dung ko");
    const [ask] = await sentTo("u6");
    expect(ask!.text).toContain("Gõ số để chọn:");
    const japan = optionNumber(ask!, "Nhật Bản");
    expect(japan, ask!.text).toBeDefined();
    api.pushText("u6", japan!);
    const [, years] = await sentTo("u6", 2);
    expect(years!.text).toMatch(/mấy năm/);
    api.pushText("u6", "3 năm");
    const [, , verdict] = await sentTo("u6", 3);
    expect(verdict!.text).toMatch(/CAO HƠN mức cho phép/);
    expect(verdict!.text).toMatch(/3 tháng lương/);
    expect(verdict!.text).toContain("Luật 69/2020/QH14, Điều 23 khoản 4");
  });

  it("retries a 429 from sendMessage and still delivers", async () => {
    api.failNext("sendMessage", 429, { ok: false, error_code: 429, description: "Too Many Requests", parameters: { retry_after: 1 } });
    api.pushText("u7", "xin chào");
    const [msg] = await sentTo("u7");
    expect(msg!.text.length).toBeGreaterThan(0);
  });

  it("never logs message text or phone numbers", async () => {
    api.pushText("u8", "số của tôi 0912345678, đi Nhật phí bao nhiêu");
    await sentTo("u8");
    const logs = logLines.join("\n");
    expect(logs).toContain("message answered");
    expect(logs).not.toContain("0912345678");
    expect(logs).not.toMatch(/đi Nhật phí|Sùng Tả|4 thang luong/);
  });
});

describe("Zalo webhook", () => {
  it("refuses a missing or wrong secret header with 401 and answers nothing", async () => {
    const update = api.message("w1", "message.text.received", { text: "xin chào" });
    expect((await webhookPost(update)).status).toBe(401);
    expect((await webhookPost(update, "wrong-secret-value")).status).toBe(401);
    expect((await webhookPost(update, `${SECRET}x`)).status).toBe(401);
    expect(api.sentTo("w1")).toHaveLength(0);
  });

  it("answers an update with the right secret, wrapped or not, once per message id", async () => {
    const wrapped = { ok: true, result: api.message("w2", "message.text.received", { text: "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?" }) };
    const res = await webhookPost(wrapped, SECRET);
    expect(res.status).toBe(200);
    const parts = api.sentTo("w2");
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(parts.map((p) => p.text).join("\n")).toContain("5.000");
    expect((await webhookPost(wrapped, SECRET)).status).toBe(200);
    expect(api.sentTo("w2")).toHaveLength(parts.length);

    const unwrapped = api.message("w3", "message.text.received", { text: "xin chào" });
    expect((await webhookPost(unwrapped, SECRET)).status).toBe(200);
    expect(api.sentTo("w3")).toHaveLength(1);
    expect((await webhookPost({ hello: "world" }, SECRET)).status).toBe(400);
  });

  it("splits a long answer at line boundaries under the limit (400 here, 2,000 on Zalo)", async () => {
    const update = api.message("w4", "message.text.received", { text: "phi dich vu toi da bao nhieu" });
    expect((await webhookPost(update, SECRET)).status).toBe(200);
    const parts = api.sentTo("w4");
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(400);
    const joined = parts.map((p) => p.text).join("\n");
    expect(joined).toContain("Nguồn:");
    expect(parts.at(-1)!.text).toMatch(/\d\. .+$/);
    // The whole message comes through, split only where a line ended.
    const whole = (await (await realEngine()).handle({ channel: "cli", userId: "compare-w4", text: "phi dich vu toi da bao nhieu" })).text;
    expect(joined.replace(/\s+/g, " ")).toContain(whole.replace(/\s+/g, " "));
  });

  it("works mounted under a path of another Hono app", async () => {
    const app = new Hono();
    app.route("/zalo/webhook", hooked.webhookHandler());
    const post = (secret: string) =>
      app.request("/zalo/webhook", {
        method: "POST",
        headers: { "content-type": "application/json", [ZALO_SECRET_HEADER]: secret },
        body: JSON.stringify(api.message("w6", "message.text.received", { text: "xin chào" })),
      });
    expect((await post("not-the-secret")).status).toBe(401);
    expect((await post(SECRET)).status).toBe(200);
    expect(api.sentTo("w6")).toHaveLength(1);
  });

  it("stop() waits for messages being answered", async () => {
    const bot = createZaloBot({ token: api.token, engine: await realEngine(), store, apiRoot: api.apiRoot, webhookSecret: SECRET });
    void bot.handleUpdate(readWebhookBody(api.message("w5", "message.text.received", { text: "phi dich vu toi da bao nhieu" }))!);
    await bot.stop();
    expect(api.sentTo("w5").length).toBeGreaterThanOrEqual(1);
  });

  it("registers the webhook with its secret", async () => {
    await hooked.setWebhook("https://bot.example.vn/zalo/webhook");
    expect(api.webhook).toEqual({ url: "https://bot.example.vn/zalo/webhook", secret_token: SECRET });
    expect(() => createZaloBot({ token: api.token, engine: undefined as never, store, webhookSecret: "short" })).toThrow(/8–256/);
  });
});

describe("Zalo pieces", () => {
  const splitMessage = (text: string, max: number) => split(text, { max });

  it("splits text under the limit, at lines first, then sentences, never losing words", () => {
    const lines = Array.from({ length: 120 }, (_, i) => `Dòng ${i + 1}: tiền dịch vụ tối đa một tháng lương cho mỗi 12 tháng.`);
    const parts = splitMessage(lines.join("\n"), ZALO_MAX_CHARS);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(ZALO_MAX_CHARS);
      expect(p.split("\n").every((l) => /^Dòng \d+: .+\.$/.test(l))).toBe(true);
    }
    expect(parts.join("\n")).toBe(lines.join("\n"));

    const oneLine = "Câu này khá dài nhưng vẫn là một câu. ".repeat(150).trim();
    const cut = splitMessage(oneLine, 500);
    for (const p of cut) expect(p.length).toBeLessThanOrEqual(500);
    expect(cut.every((p) => p.endsWith("."))).toBe(true);
    expect(cut.join(" ")).toBe(oneLine);

    const emoji = "😀".repeat(1500);
    const hard = splitMessage(emoji, ZALO_MAX_CHARS);
    for (const p of hard) expect(p.length).toBeLessThanOrEqual(ZALO_MAX_CHARS);
    expect(hard.join("")).toBe(emoji);
  });

  it("numbers options and reads a typed number back", async () => {
    const header = channelTexts((await realEngine()).index.kb).zalo.options_header;
    expect(numberedOptions(["A?", "B?"], header)).toBe("Gõ số để hỏi tiếp:\n1. A?\n2. B?");
    expect(pickNumber("1", ["A?", "B?"])).toBe("A?");
    expect(pickNumber(" 2. ", ["A?", "B?"])).toBe("B?");
    expect(pickNumber("số 2", ["A?", "B?"])).toBe("B?");
    expect(pickNumber("3", ["A?", "B?"])).toBeUndefined();
    expect(pickNumber("1 năm", ["A?", "B?"])).toBeUndefined();
    expect(pickNumber("1", undefined)).toBeUndefined();
  });

  it("reads webhook bodies wrapped and unwrapped", () => {
    const message = { message_id: "1", from: { id: "a" }, chat: { id: "a" }, text: "hi" };
    expect(readWebhookBody({ ok: true, result: { event_name: "message.text.received", message } })?.message?.text).toBe("hi");
    expect(readWebhookBody({ event_name: "message.text.received", message })?.message?.chat.id).toBe("a");
    expect(readWebhookBody("nonsense")).toBeUndefined();
  });

  it("explains a refused token, and long polling stops on it", async () => {
    const bad = new ZaloApi("wrong-token", { apiRoot: api.apiRoot });
    const err = await bad.getMe().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZaloApiError);
    expect((err as Error).message).toMatch(/ZALO_BOT_TOKEN/);
    expect((err as Error).message).not.toContain("wrong-token");
    const bot = createZaloBot({ token: "wrong-token", engine: await realEngine(), store, apiRoot: api.apiRoot });
    await expect(bot.start()).rejects.toThrow(/ZALO_BOT_TOKEN/);
    expect(await new ZaloApi(api.token, { apiRoot: api.apiRoot }).getMe()).toMatchObject({ id: "4242" });
  });
});

// Zalo as a channel: a polling bot over its own fake Zalo Bot API per test; no buttons, so
// choices are numbered lines ("1. Đài Loan") and picking one is typing its number.
runChannelContract(
  "zalo",
  async (engine) => {
    const fake = new FakeZaloApi();
    await fake.start();
    const kv = await openStore("memory://");
    const bot = createZaloBot({ token: fake.token, engine, store: kv, apiRoot: fake.apiRoot, pollTimeoutSeconds: 1 });
    const done = bot.start();
    await waitFor(() => (fake.calls.includes("getUpdates") ? true : undefined));
    const read = async (chat: string, before: number): Promise<Seen> => {
      await waitFor(() => (fake.sentTo(chat).length > before ? true : undefined));
      await new Promise((r) => setTimeout(r, 30));
      const text = fake.sentTo(chat).slice(before).map((m) => m.text).join("\n");
      const choices = [...text.matchAll(/^(\d+)\. (.+)$/gm)].map((m) => ({ label: m[2]!, payload: m[1]! }));
      return { text, choices };
    };
    const say = async (user: string, text: string) => {
      const before = fake.sentTo(user).length;
      fake.pushText(user, text);
      return read(user, before);
    };
    return {
      send: say,
      choose: (user, seen, label) => say(user, findChoice(seen, label).payload),
      close: async () => {
        await bot.stop();
        await done;
        await fake.stop();
        await kv.close();
      },
    };
  },
  { base: realEngine },
);

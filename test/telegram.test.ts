import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../src/engine/engine.ts";
import type { IncomingMessage, Reply } from "../src/contract.ts";
import { renderTelegramHtml } from "../src/channels/render.ts";
import { channelTexts } from "../src/channels/texts.ts";
import { CALLBACK_DATA_MAX_BYTES } from "../src/channels/telegram/bot.ts";
import { findChoice, runChannelContract, type Seen } from "../src/testing/contracts/channel.ts";
import { escapeHtml } from "../src/text/wording.ts";
import { FakeTelegramApi, type SentMessage } from "./fakes/telegram-api.ts";
import { realEngine, waitFor, startFakeTelegram } from "./helpers.ts";

let api: FakeTelegramApi;
let stopTelegram: () => Promise<void>;

beforeAll(async () => {
  ({ api, stop: stopTelegram } = await startFakeTelegram());
});

afterAll(() => stopTelegram());

/** The buttons under a message. */
const buttonsOf = (m: SentMessage) => (m.reply_markup?.inline_keyboard ?? []).flat();
/** "c:<reply id>:<index>" → its parts. */
const payload = (data: string | undefined) => /^c:([A-Za-z0-9_-]{8}):(\d+)$/.exec(data ?? "");

describe("Telegram bot over a fake Bot API (long polling)", () => {
  it("explains itself on /start in two or three lines", async () => {
    api.pushText(1, "/start");
    const [msg] = await waitFor(() => (api.sentTo(1).length ? api.sentTo(1) : undefined));
    const lines = msg!.text.split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(msg!.parse_mode).toBe("HTML");
  });

  it("answers a question with citations in HTML", async () => {
    api.pushText(2, "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?");
    const [msg] = await waitFor(() => (api.sentTo(2).length ? api.sentTo(2) : undefined));
    expect(msg!.text).toContain("5.000");
    expect(msg!.text).toContain("<b>Nguồn:</b>");
    expect(msg!.text).toContain("Kế hoạch Tỉnh ủy Lạng Sơn, Mục II, điểm 2");
  });

  it("replies to a sticker and a photo with a short text-only note", async () => {
    api.pushMessage(3, { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } });
    api.pushMessage(3, { photo: [{ file_id: "p", file_unique_id: "p", width: 1, height: 1 }] });
    const msgs = await waitFor(() => (api.sentTo(3).length >= 2 ? api.sentTo(3) : undefined));
    for (const m of msgs) expect(m.text).toMatch(/chỉ đọc được tin nhắn chữ/);
  });

  it("escapes user text and survives a 10,000-character message", async () => {
    api.pushText(4, "<b>Lạng Sơn</b> & Sùng Tả <script>x</script>");
    api.pushText(4, "x".repeat(10_000));
    const msgs = await waitFor(() => (api.sentTo(4).length >= 2 ? api.sentTo(4) : undefined));
    for (const m of msgs) {
      expect(m.text).not.toMatch(/<(script|img)/i);
      // Only our own tags remain after escaping.
      expect(m.text.replace(/<\/?(b|i)>/g, "")).not.toMatch(/[<>]/);
      expect(m.text.length).toBeLessThanOrEqual(4096);
    }
    expect(msgs[1]!.text).toContain("dài quá");
  });

  it("shows suggestions as buttons naming their reply, and a press answers that suggestion in full", async () => {
    const engine = await realEngine();
    const question = "phi dich vu toi da bao nhieu";
    const direct = await engine.handle({ channel: "cli", userId: "compare-5", text: question });
    expect(direct.suggestions.length).toBeGreaterThan(0);
    api.pushText(5, question);
    const [first] = await waitFor(() => (api.sentTo(5).length ? api.sentTo(5) : undefined));
    const buttons = buttonsOf(first!);
    // One button per suggestion, labelled with it, in order; all under the same reply id.
    expect(buttons.map((b) => b.text)).toEqual(direct.suggestions.map((s) => (s.length > 60 ? `${s.slice(0, 59)}…` : s)));
    const ids = buttons.map((b) => payload(b.callback_data));
    expect(ids.every(Boolean), JSON.stringify(buttons)).toBe(true);
    expect(new Set(ids.map((m) => m![1])).size).toBe(1);
    expect(ids.map((m) => Number(m![2]))).toEqual(direct.suggestions.map((_, i) => i));

    api.pushCallback(5, buttons[0]!.callback_data!);
    const msgs = await waitFor(() => (api.sentTo(5).length >= 2 ? api.sentTo(5) : undefined));
    const expected = await engine.handle({ channel: "cli", userId: "compare-5b", text: direct.suggestions[0]! });
    expect(msgs[1]!.text).toBe(renderTelegramHtml(expected, engine.index.kb));
    expect(msgs[1]!.text).toContain("Luật 69/2020/QH14");
  });
});

/**
 * An engine whose answers the test writes: `replies[text]` for each text, and what it
 * was asked is recorded. Everything else (fixed replies, knowledge) is the real engine's.
 */
async function scriptedEngine(replies: Record<string, string[]>) {
  const base = await realEngine();
  const asked: Array<string | null> = [];
  const engine = Object.create(base, {
    handle: {
      value: async (m: IncomingMessage): Promise<Reply> => {
        asked.push(m.text);
        return { text: `Trả lời: ${m.text}`, citations: [], suggestions: replies[m.text ?? ""] ?? [], intent: "qa", confident: true };
      },
    },
  }) as Engine;
  return { engine, asked };
}

describe("buttons bound to the message that showed them", () => {
  const many = Array.from({ length: 12 }, (_, i) => `Câu số ${i + 1}?`);
  let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
  let asked: Array<string | null>;
  beforeAll(async () => {
    const scripted = await scriptedEngine({ "câu đầu": ["Một?", "Hai?"], "câu sau": ["Ba?", "Bốn?"], "nhiều nút": many });
    asked = scripted.asked;
    tg = await startFakeTelegram(scripted.engine);
  });
  afterAll(() => tg.stop());

  /** Sends text to chat `chat` and waits for the reply. */
  const say = async (chat: number, text: string) => {
    const before = tg.api.sentTo(chat).length;
    tg.api.pushText(chat, text);
    return waitFor(() => tg.api.sentTo(chat)[before]);
  };
  const press = async (chat: number, data: string) => {
    const before = tg.api.sentTo(chat).length;
    tg.api.pushCallback(chat, data);
    return waitFor(() => tg.api.sentTo(chat)[before]);
  };

  it("sends an older message's choice, not the latest list's", async () => {
    const older = await say(401, "câu đầu");
    const newer = await say(401, "câu sau");
    expect(buttonsOf(newer).map((b) => b.text)).toEqual(["Ba?", "Bốn?"]);
    const reply = await press(401, buttonsOf(older)[1]!.callback_data!);
    expect(asked.at(-1)).toBe("Hai?");
    expect(reply.text).toBe("Trả lời: Hai?");
    await press(401, buttonsOf(newer)[0]!.callback_data!);
    expect(asked.at(-1)).toBe("Ba?");
    // Pressing the older message's button again still works (its choices are kept, not replaced).
    await press(401, buttonsOf(older)[0]!.callback_data!);
    expect(asked.at(-1)).toBe("Một?");
  });

  it("answers a button whose choices are gone (expired, forged, an older payload format) with a plain 'too old' reply", async () => {
    const kb = (await realEngine()).index.kb;
    const tooOld = escapeHtml(channelTexts(kb).choice_expired);
    const shown = await say(402, "câu đầu");
    const [, replyId] = payload(buttonsOf(shown)[0]!.callback_data)!;
    // The store forgot the reply's choices, as it does when their time to live ends.
    await tg.store.delete(`telegram:sugg:402:${replyId}`);
    const before = asked.length;
    for (const data of [`c:${replyId}:0`, "c:AAAAAAAA:0", `c:${replyId}:7`, "s:0", "rubbish"]) {
      expect((await press(402, data)).text, data).toBe(tooOld);
    }
    expect(asked.length, "the engine is not asked anything").toBe(before);
    // Another chat cannot use this chat's buttons either.
    const other = await say(403, "câu sau");
    expect((await press(402, buttonsOf(other)[0]!.callback_data!)).text).toBe(tooOld);
  });

  it("handles more than nine buttons, each payload under Telegram's 64 bytes", async () => {
    const shown = await say(404, "nhiều nút");
    const buttons = buttonsOf(shown);
    expect(buttons.map((b) => b.text)).toEqual(many);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    await press(404, buttons[11]!.callback_data!);
    expect(asked.at(-1)).toBe("Câu số 12?");
    await press(404, buttons[9]!.callback_data!);
    expect(asked.at(-1)).toBe("Câu số 10?");
  });
});

/** Telegram HTML as the person reads it: tags removed, entities decoded. */
const visible = (html: string) =>
  html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

// Telegram as a channel: a bot over its own fake Bot API per test; choices are inline buttons.
runChannelContract(
  "telegram",
  async (engine) => {
    const tg = await startFakeTelegram(engine);
    const read = async (chat: number, before: number): Promise<Seen> => {
      await waitFor(() => (tg.api.sentTo(chat).length > before ? true : undefined));
      await new Promise((r) => setTimeout(r, 30)); // a long answer may come in several parts
      const fresh = tg.api.sentTo(chat).slice(before);
      return {
        text: fresh.map((m) => visible(m.text)).join("\n"),
        choices: buttonsOf(fresh.at(-1)!).map((b) => ({ label: b.text, payload: b.callback_data! })),
      };
    };
    return {
      send: async (user, text) => {
        const before = tg.api.sentTo(Number(user)).length;
        tg.api.pushText(Number(user), text);
        return read(Number(user), before);
      },
      choose: async (user, seen, label) => {
        const before = tg.api.sentTo(Number(user)).length;
        tg.api.pushCallback(Number(user), findChoice(seen, label).payload);
        return read(Number(user), before);
      },
      close: () => tg.stop(),
    };
  },
  { base: realEngine },
);

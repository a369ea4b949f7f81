import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegramApi } from "./fakes/telegram-api.ts";
import { waitFor, startFakeTelegram } from "./helpers.ts";
let api: FakeTelegramApi;
let stopTelegram: () => Promise<void>;

beforeAll(async () => {
  ({ api, stop: stopTelegram } = await startFakeTelegram());
});

afterAll(() => stopTelegram());

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

  it("turns suggestion buttons into follow-up questions", async () => {
    api.pushText(5, "phi dich vu toi da bao nhieu");
    const [first] = await waitFor(() => (api.sentTo(5).length ? api.sentTo(5) : undefined));
    const button = first!.reply_markup?.inline_keyboard?.[0]?.[0];
    expect(button, "the answer offers a follow-up button").toBeDefined();
    api.pushCallback(5, button!.callback_data!);
    const msgs = await waitFor(() => (api.sentTo(5).length >= 2 ? api.sentTo(5) : undefined));
    expect(msgs[1]!.text.length).toBeGreaterThan(20);
  });
});

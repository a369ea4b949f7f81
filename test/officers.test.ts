import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bot } from "grammy";
import { createTelegramBot } from "../src/channels/telegram/bot.ts";
import { Engine } from "../src/engine/engine.ts";
import { telegramHandoff } from "../src/channels/telegram/handoff.ts";
import { loadRegistrationPrompts } from "../src/registration/form.ts";
import { parseCsv } from "../src/registration/csv.ts";
import type { Destinations } from "../src/registration/routing.ts";
import { RegistrationService } from "../src/registration/service.ts";
import { openStore, type KeyValueStore } from "../src/store/store.ts";
import { FakeTelegramApi } from "./fakes/telegram-api.ts";
import { PROMPTS_DIR, realEngine, waitFor } from "./helpers.ts";

const OFFICE_GROUP = -1001;
const OTHER_GROUP = -2002;
const OFFICER = 9;
const WORKER = 501;
const NEIGHBOUR_GROUP = -3003;
const destinations: Destinations = {
  offices: {
    "province:nghe-an": { name: "Sở Nội vụ Nghệ An", telegramChatId: OFFICE_GROUP },
    "province:ha-tinh": { name: "Sở Nội vụ Hà Tĩnh", telegramChatId: NEIGHBOUR_GROUP },
  },
};
const ANSWERS = [
  "Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong", "thợ hàn 3 năm",
  "Biết chút ít", "Hộ cận nghèo", "Buổi tối", "Gọi sau 7 giờ tối giúp em", "Xác nhận",
];

let api: FakeTelegramApi;
let bot: Bot;
let kv: KeyValueStore;
let engine: Engine;
let caseId: string;

beforeAll(async () => {
  const base = await realEngine();
  kv = await openStore("memory://");
  const registration = new RegistrationService({ kb: base.index.kb, kv, prompts: loadRegistrationPrompts(PROMPTS_DIR), destinations });
  engine = new Engine(base.index, base.retriever, base.replies, kv, undefined, registration);
  api = new FakeTelegramApi();
  await api.start();
  bot = createTelegramBot({ token: api.token, engine, store: kv, apiRoot: api.apiRoot, officers: { destinations } });
  void bot.start({ drop_pending_updates: false });
  await waitFor(() => (api.calls.includes("getUpdates") ? true : undefined));
  // A worker registers in a private chat (driven through the engine, as the bot does).
  await engine.handle({ channel: "telegram", userId: String(WORKER), text: "/dangky" });
  let last = "";
  for (const a of ANSWERS) last = (await engine.handle({ channel: "telegram", userId: String(WORKER), text: a })).text;
  caseId = /DK-[2-9A-Z]{5}/.exec(last)![0];
});

afterAll(async () => {
  await bot.stop();
  await api.stop();
});

describe("officers' side in the office's Telegram group", () => {
  it("hands the case off as a card with status buttons, exactly once", async () => {
    const deliver = telegramHandoff({ kb: engine.index.kb, registration: engine.registration!, destinations, api: bot.api });
    await engine.registration!.outbox.deliverDue(deliver);
    await engine.registration!.outbox.deliverDue(deliver);
    const cards = api.sentTo(OFFICE_GROUP).filter((m) => m.text.includes(caseId));
    expect(cards).toHaveLength(1);
    expect(cards[0]!.text).toContain("Nguyễn Văn An");
    expect(cards[0]!.text).toContain("0912345678");
    const buttons = cards[0]!.reply_markup!.inline_keyboard!.flat().map((b) => b.callback_data);
    expect(buttons).toContain(`st:${caseId}:received`);
  });

  it("records who changed the status and tells the worker in plain words", async () => {
    api.pushCallback(OFFICER, `st:${caseId}:received`, OFFICE_GROUP);
    const note = await waitFor(() => api.sentTo(WORKER).find((m) => m.text.includes(caseId)));
    expect(note.text).toContain("cán bộ đã nhận hồ sơ của bạn");
    expect((await engine.registration!.store.get(caseId))?.status).toBe("received");
    const history = await engine.registration!.store.history(caseId);
    expect(history.at(-1)).toMatchObject({ to: "received", by: `tg:${OFFICER}` });
  });

  it("lists cases, shows one, and reports the counts an office sends upward", async () => {
    api.pushGroupText(OFFICE_GROUP, OFFICER, "/cases");
    const list = await waitFor(() => api.sentTo(OFFICE_GROUP).find((m) => m.text.includes(`${caseId} · Nguyễn Văn An`)));
    expect(list.text).toContain("Đã tiếp nhận");
    api.pushGroupText(OFFICE_GROUP, OFFICER, "/stats");
    const stats = await waitFor(() => api.sentTo(OFFICE_GROUP).find((m) => m.text.startsWith("Đăng ký: 1")));
    expect(stats.text).toContain("Nghệ An");
    api.pushGroupText(OFFICE_GROUP, OFFICER, "/cases nonsense");
    await waitFor(() => api.sentTo(OFFICE_GROUP).find((m) => m.text.startsWith("Không hiểu trạng thái")));
  });

  it("exports a CSV that opens in Excel (BOM, Vietnamese intact)", async () => {
    api.pushGroupText(OFFICE_GROUP, OFFICER, "/export");
    const body = await waitFor(() => api.documents[0]);
    expect(body).toContain("\uFEFF");
    const start = body.indexOf("\uFEFF");
    const csv = body.slice(start, body.indexOf("\r\n--", start));
    const rows = parseCsv(csv);
    expect(rows[0]).toContain("Họ tên");
    expect(rows.some((r) => r.includes("Nguyễn Văn An"))).toBe(true);
  });

  it("forwards a worker's question ('hỏi cán bộ') and brings the officer's reply back", async () => {
    const sent = await engine.handle({ channel: "telegram", userId: String(WORKER), text: "/hoicanbo Khi nào có lớp học tiếng Nhật ạ?" });
    expect(sent.text).toContain("Đã chuyển câu hỏi");
    const deliver = telegramHandoff({ kb: engine.index.kb, registration: engine.registration!, destinations, api: bot.api });
    await engine.registration!.outbox.deliverDue(deliver);
    const card = api.sentTo(OFFICE_GROUP).find((m) => m.text.includes("Khi nào có lớp học tiếng Nhật"));
    expect(card).toBeDefined();
    api.pushGroupText(OFFICE_GROUP, OFFICER, "Tháng sau có lớp ở Trung tâm Dịch vụ việc làm tỉnh.", card!.message_id);
    const answer = await waitFor(() => api.sentTo(WORKER).find((m) => m.text.startsWith("Cán bộ trả lời")));
    expect(answer.text).toContain("Tháng sau có lớp");
  });

  it("shows each office only its own cases", async () => {
    api.pushGroupText(NEIGHBOUR_GROUP, 31, "/cases");
    const reply = await waitFor(() => api.sentTo(NEIGHBOUR_GROUP)[0]);
    expect(reply.text).toBe("Không có hồ sơ nào.");
    api.pushGroupText(NEIGHBOUR_GROUP, 31, `/case ${caseId}`);
    await waitFor(() => api.sentTo(NEIGHBOUR_GROUP).find((m) => m.text.includes("ở nơi này")));
  });

  it("ignores groups and people that are not on the allow-list", async () => {
    const before = api.sent.length;
    api.pushGroupText(OTHER_GROUP, 777, "/cases");
    api.pushCallback(777, `st:${caseId}:closed`, OTHER_GROUP);
    api.pushGroupText(OTHER_GROUP, 777, "giá vàng hôm nay");
    // A later message in a private chat proves the updates above were processed.
    api.pushText(778, "/start");
    await waitFor(() => api.sentTo(778)[0]);
    expect(api.sent.slice(before).filter((m) => Number(m.chat_id) === OTHER_GROUP)).toEqual([]);
    expect((await engine.registration!.store.get(caseId))?.status).toBe("received");
  });
});

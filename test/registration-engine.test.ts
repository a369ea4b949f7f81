import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { Engine } from "../src/engine/engine.ts";
import { loadRegistrationPrompts } from "../src/registration/form.ts";
import { RegistrationService } from "../src/registration/service.ts";
import type { Destinations } from "../src/registration/routing.ts";
import { openStore, type KeyValueStore } from "../src/store/store.ts";
import { PROMPTS_DIR, captureLogs, realEngine, tempDir } from "./helpers.ts";
import type { Logger } from "../src/logger.ts";

let base: Engine;
beforeAll(async () => {
  base = await realEngine();
});

const NOW = () => new Date("2026-12-01T08:00:00Z");
const ANSWERS = [
  "Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong", "thợ hàn 3 năm",
  "Biết chút ít", "Hộ cận nghèo", "Buổi tối", "Gọi sau 7 giờ tối giúp em",
];

/** An engine over the shared index with its own durable store, as `npm start` builds it. */
function engineOn(kv: KeyValueStore, destinations: Destinations = { offices: {} }, logger?: Logger): Engine {
  const registration = new RegistrationService({ kb: base.index.kb, kv, prompts: loadRegistrationPrompts(PROMPTS_DIR), destinations, now: NOW, logger });
  return new Engine(base.index, base.retriever, base.replies, kv, NOW, registration);
}

const say = (engine: Engine, text: string, userId = "42") => engine.handle({ channel: "telegram", userId, text });

async function register(engine: Engine, userId = "42"): Promise<string> {
  await say(engine, "/dangky", userId);
  for (const a of ANSWERS) await say(engine, a, userId);
  const saved = await say(engine, "Xác nhận", userId);
  const id = /DK-[2-9A-Z]{5}/.exec(saved.text)?.[0];
  expect(id, saved.text).toBeDefined();
  return id!;
}

describe("registration through the engine", () => {
  it("asks consent first, then the questions with buttons, and says 'saved' with a case id", async () => {
    const engine = engineOn(await openStore("memory://"));
    const first = await say(engine, "/dangky");
    expect(first.text).toContain("Đăng ký muốn đi làm việc ở nước ngoài");
    expect(first.suggestions).toEqual(expect.arrayContaining(["Đồng ý", "Không đồng ý"]));
    const id = await register(engine, "7");
    expect((await engine.registration!.store.get(id))?.phone).toBe("+84912345678");
  });

  it("offers the form under answers about registering", async () => {
    const engine = engineOn(await openStore("memory://"));
    const r = await say(engine, "em muon dang ky di xkld thi can lam nhung buoc nao a");
    expect(r.intent).toBe("register");
    expect(r.suggestions[0]).toBe("Đăng ký để cán bộ liên hệ");
    expect((await say(engine, r.suggestions[0]!)).suggestions).toContain("Đồng ý");
  });

  it("routes to the commune, then the province default, then the unrouted queue — never dropped", async () => {
    const kv = await openStore("memory://");
    const destinations: Destinations = { offices: { "province:nghe-an": { telegramChatId: -1001 } }, unrouted: { telegramChatId: -1999 } };
    const engine = engineOn(kv, destinations);
    const id = await register(engine, "p1");
    expect((await engine.registration!.store.get(id))?.routedTo).toBe("province:nghe-an");
    expect((await engine.registration!.outbox.pending()).map((i) => i.destinationKey)).toContain("province:nghe-an");
    const other = engineOn(await openStore("memory://"), { offices: {}, unrouted: { telegramChatId: -1999 } });
    const id2 = await register(other, "p2");
    expect((await other.registration!.store.get(id2))?.routedTo).toBe("unrouted");
  });

  it("queues at start-up the hand-off of a stored case that has none", async () => {
    const kv = await openStore("memory://");
    // Saved while no destination could take it (as after a crash between saving and queueing).
    const id = await register(engineOn(kv, { offices: {} }), "r1");
    const restarted = engineOn(kv, { offices: {}, unrouted: { telegramChatId: -1999 } });
    expect(await restarted.registration!.outbox.pending()).toEqual([]);
    expect(await restarted.registration!.recoverHandoffs()).toBe(1);
    expect((await restarted.registration!.outbox.pending()).map((i) => i.caseId)).toEqual([id]);
    expect(await restarted.registration!.recoverHandoffs()).toBe(0);
  });

  it("keeps a form in progress across a restart (sqlite)", async () => {
    const dir = await tempDir();
    const url = `sqlite://${join(dir.path, "store.sqlite")}`;
    const before = engineOn(await openStore(url));
    await say(before, "/dangky", "r");
    for (const a of ANSWERS.slice(0, 4)) await say(before, a, "r");
    const after = engineOn(await openStore(url));
    for (const a of ANSWERS.slice(4)) await say(after, a, "r");
    expect((await say(after, "Xác nhận", "r")).text).toMatch(/DK-/);
    await dir.cleanup();
  });

  it("handles two messages arriving at once for one person in order, one case", async () => {
    const engine = engineOn(await openStore("memory://"));
    await say(engine, "/dangky", "c");
    for (const a of ANSWERS) await say(engine, a, "c");
    const [a, b] = await Promise.all([say(engine, "Xác nhận", "c"), say(engine, "Xác nhận", "c")]);
    expect([a.text, b.text].filter((t) => /DK-/.test(t)).length).toBeGreaterThanOrEqual(1);
    expect((await engine.registration!.store.list({})).length).toBe(1);
  });

  it("/trangthai tells the status; /xoadulieu deletes personal data and keeps counts", async () => {
    const engine = engineOn(await openStore("memory://"));
    expect((await say(engine, "/trangthai", "d")).text).toContain("chưa có hồ sơ");
    const id = await register(engine, "d");
    expect((await say(engine, "/trangthai", "d")).text).toContain(id);
    expect((await say(engine, "/xoadulieu", "d")).text).toContain("Đã xóa");
    expect(await engine.registration!.store.get(id)).toBeUndefined();
    expect((await engine.registration!.store.stats({})).registered).toBe(1);
  });

  it("a name like 'Huy' is an answer, not 'cancel', while the form asks for the name", async () => {
    const engine = engineOn(await openStore("memory://"));
    await say(engine, "/dangky", "h");
    await say(engine, "Đồng ý", "h");
    const r = await say(engine, "Huy", "h");
    expect(r.text).not.toContain("Đã dừng");
  });
});

describe("starting the form from what people type", () => {
  it("starts on a plain wish to register, and answers a question about registering", async () => {
    const engine = engineOn(await openStore("memory://"));
    expect((await say(engine, "Tôi muốn đăng ký đi làm việc ở nước ngoài.", "w1")).suggestions).toContain("Đồng ý");
    const q = await say(engine, "em muốn đăng ký thi EPS đi Hàn thì bắt đầu từ đâu", "w2");
    expect(q.suggestions).not.toContain("Đồng ý");
    expect(q.suggestions[0]).toBe("Đăng ký để cán bộ liên hệ");
  });
});

describe("personal data in logs", () => {
  it("never logs the name or the phone number of a registration", async () => {
    const logs = captureLogs();
    const engine = engineOn(await openStore("memory://"), { offices: {}, unrouted: { telegramChatId: -1 } }, logs.logger);
    await register(engine, "log");
    await say(engine, "/xoadulieu", "log");
    const out = logs.text();
    expect(out).toContain("registration saved");
    expect(out).not.toMatch(/Nguyễn Văn An|0912|912345678/);
  });
});

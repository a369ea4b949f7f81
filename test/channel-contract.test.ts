/**
 * One contract, every channel (Hono-style shared suite): the same conversation through
 * the command line, the web API, Telegram (fake Bot API) and Zalo (fake Zalo Bot API),
 * each driven the way its users drive it — buttons on Telegram and the web, numbered
 * options on Zalo.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebApp } from "../src/channels/web/app.ts";
import { renderPlain } from "../src/channels/render.ts";
import { createZaloBot, type ZaloBot } from "../src/channels/zalo/bot.ts";
import type { Engine } from "../src/engine/engine.ts";
import { openStore } from "../src/store/store.ts";
import { FakeZaloApi } from "./fakes/zalo-api.ts";
import { PROMPTS_DIR, realEngine, startFakeTelegram, waitFor } from "./helpers.ts";
import { ScriptedChatModel, questionOf } from "./fakes/scripted-model.ts";
import { loadLlmPrompts } from "../src/llm/assistant.ts";

/** What a person sees after sending something: the text and the choices offered. */
interface Seen {
  text: string;
  choices: string[];
}

interface Driver {
  name: string;
  setup(engine: Engine): Promise<void>;
  teardown(): Promise<void>;
  /** Sends text as a new person or the same person (`user`), returns what they see next. */
  send(user: string, text: string): Promise<Seen>;
  /** Picks one of the offered choices the way the channel lets people do it. */
  choose(user: string, seen: Seen, choice: string): Promise<Seen>;
}

let userSeq = 0;
const nextUser = () => String(700_000 + ++userSeq);

function cliDriver(): Driver {
  let engine: Engine;
  const seen = (r: Awaited<ReturnType<Engine["handle"]>>): Seen => ({ text: renderPlain(r, engine.index.kb), choices: r.suggestions });
  return {
    name: "command line",
    setup: async (e) => void (engine = e),
    teardown: async () => undefined,
    send: async (user, text) => seen(await engine.handle({ channel: "cli", userId: user, text })),
    choose: async (user, _s, choice) => seen(await engine.handle({ channel: "cli", userId: user, text: choice })),
  };
}

function webDriver(): Driver {
  let app: ReturnType<typeof createWebApp>;
  const sessions = new Map<string, string>();
  const post = async (user: string, message: string): Promise<Seen> => {
    const session = sessions.get(user);
    const res = await app.request("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(session ? { message, session } : { message }),
    });
    const body = (await res.json()) as { session: string; reply: { text: string; suggestions: string[]; citations: Array<{ doc: string; locator: string }> } };
    sessions.set(user, body.session);
    return { text: `${body.reply.text}\n${body.reply.citations.map((c) => `${c.doc}, ${c.locator}`).join("\n")}`, choices: body.reply.suggestions };
  };
  return {
    name: "web",
    setup: async (engine) => void (app = createWebApp({ engine, store: await openStore("memory://") })),
    teardown: async () => undefined,
    send: post,
    choose: (user, _s, choice) => post(user, choice),
  };
}

function telegramDriver(): Driver {
  let tg: Awaited<ReturnType<typeof startFakeTelegram>>;
  const read = async (chat: number, before: number): Promise<Seen> => {
    const msgs = await waitFor(() => (tg.api.sentTo(chat).length > before ? tg.api.sentTo(chat) : undefined));
    await new Promise((r) => setTimeout(r, 30)); // a long answer may come in several parts
    const fresh = tg.api.sentTo(chat).slice(before);
    const last = fresh.at(-1)!;
    void msgs;
    return { text: fresh.map((m) => m.text).join("\n"), choices: (last.reply_markup?.inline_keyboard ?? []).flat().map((b) => `${b.text}\u0000${b.callback_data}`) };
  };
  return {
    name: "telegram",
    setup: async (engine) => void (tg = await startFakeTelegram(engine)),
    teardown: () => tg.stop(),
    send: async (user, text) => {
      const chat = Number(user);
      const before = tg.api.sentTo(chat).length;
      tg.api.pushText(chat, text);
      return read(chat, before);
    },
    choose: async (user, seen, choice) => {
      const chat = Number(user);
      const button = seen.choices.find((c) => c.split("\u0000")[0] === choice);
      if (!button) throw new Error(`no button "${choice}" in ${seen.choices.join(", ")}`);
      const before = tg.api.sentTo(chat).length;
      tg.api.pushCallback(chat, button.split("\u0000")[1]!);
      return read(chat, before);
    },
  };
}

function zaloDriver(): Driver {
  let api: FakeZaloApi;
  let bot: ZaloBot;
  let done: Promise<void>;
  const read = async (chat: string, before: number): Promise<Seen> => {
    await waitFor(() => (api.sentTo(chat).length > before ? true : undefined));
    await new Promise((r) => setTimeout(r, 30));
    const text = api.sentTo(chat).slice(before).map((m) => m.text).join("\n");
    // Zalo has no buttons: options are numbered lines ("1. Đài Loan").
    const choices = [...text.matchAll(/^(\d+)\. (.+)$/gm)].map((m) => `${m[2]}\u0000${m[1]}`);
    return { text, choices };
  };
  return {
    name: "zalo",
    setup: async (engine) => {
      api = new FakeZaloApi();
      await api.start();
      bot = createZaloBot({ token: api.token, engine, store: await openStore("memory://"), apiRoot: api.apiRoot, pollTimeoutSeconds: 1 });
      done = bot.start();
      await waitFor(() => (api.calls.includes("getUpdates") ? true : undefined));
    },
    teardown: async () => {
      await bot.stop();
      await done;
      await api.stop();
    },
    send: async (user, text) => {
      const before = api.sentTo(user).length;
      api.pushText(user, text);
      return read(user, before);
    },
    choose: async (user, seen, choice) => {
      const option = seen.choices.find((c) => c.split("\u0000")[0] === choice);
      if (!option) throw new Error(`no option "${choice}" in ${seen.choices.join(", ")}`);
      const before = api.sentTo(user).length;
      api.pushText(user, option.split("\u0000")[1]!);
      return read(user, before);
    },
  };
}

for (const driver of [cliDriver(), webDriver(), telegramDriver(), zaloDriver()]) {
  describe(`channel contract: ${driver.name}`, () => {
    beforeAll(async () => driver.setup(await realEngine()), 30_000);
    afterAll(() => driver.teardown());

    it("answers a question typed without diacritics, with its source", async () => {
      const seen = await driver.send(nextUser(), "ky quy di dai loan bao nhieu");
      expect(seen.text).toContain("12 triệu");
      expect(seen.text).toContain("Nghị định 112/2021/NĐ-CP");
    });

    it("runs the fee check with the channel's own choices", async () => {
      const user = nextUser();
      const asked = await driver.send(user, "cty doi 4 thang luong tien dich vu co dung ko");
      expect(asked.text).toContain("Bạn định đi nước nào?");
      const length = await driver.choose(user, asked, "Đài Loan");
      expect(length.text).toContain("Hợp đồng làm việc mấy năm?");
      const verdict = await driver.choose(user, length, "3 năm");
      expect(verdict.text).toContain("vượt 1 tháng lương");
      expect(verdict.text).toContain("Luật 69/2020/QH14");
    });

    it("replies to an empty message and to markup without echoing it raw", async () => {
      expect((await driver.send(nextUser(), "   ")).text).toContain("Bạn chưa gõ câu hỏi");
      const seen = await driver.send(nextUser(), "<script>alert(1)</script> giá vàng hôm nay");
      expect(seen.text).not.toContain("<script>");
    });

    it("sends a language model's grounded answer, and the offline one when the model invents a figure", async () => {
      const engine = await realEngine();
      const grounded = "Đi Đài Loan, tiền ký quỹ không quá 12 triệu đồng (Nghị định 112/2021/NĐ-CP).";
      engine.useLanguageModel({
        model: new ScriptedChatModel((messages) => (questionOf(messages).includes("bao nhieu") ? grounded : "Ký quỹ đi Đài Loan là 50 triệu đồng (Nghị định 112/2021/NĐ-CP).")),
        prompts: loadLlmPrompts(PROMPTS_DIR),
      });
      try {
        const seen = await driver.send(nextUser(), "ky quy di dai loan bao nhieu");
        expect(seen.text).toContain("tiền ký quỹ không quá 12 triệu đồng (Nghị định 112/2021/NĐ-CP)");
        const replaced = await driver.send(nextUser(), "ky quy di dai loan la the nao");
        expect(replaced.text).not.toContain("50 triệu");
        expect(replaced.text).toContain("Nghị định 112/2021/NĐ-CP");
      } finally {
        engine.llm = undefined;
      }
    });

    it("keeps one person's conversation apart from another's", async () => {
      const [a, b] = [nextUser(), nextUser()];
      await driver.send(a, "cty doi 4 thang luong tien dich vu co dung ko");
      const other = await driver.send(b, "Đài Loan");
      expect(other.text).not.toContain("Hợp đồng làm việc mấy năm?");
    });
  });
}

/**
 * The channel contract: the same conversation through any channel, driven the way its
 * users drive it (buttons on Telegram, numbered options on Zalo, chips on the web page).
 * A channel's own test file calls `runChannelContract` once and gets the whole suite.
 *
 * Every test gets a fresh engine over the base engine's index (its own memory store and
 * registration service) and a fresh driver, so no test depends on another's side effects.
 *
 * @example
 * // test/my-channel.test.ts
 * runChannelContract("my channel", async (engine) => {
 *   const bot = createMyBot({ engine, store: await openStore("memory://") });
 *   return { send: …, choose: …, close: () => bot.stop() };
 * }, { base: realEngine });
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../../engine/engine.ts";
import { loadLlmPrompts } from "../../llm/assistant.ts";
import { RegistrationService } from "../../registration/service.ts";
import { openStore, type KeyValueStore } from "../../store/store.ts";
import { ScriptedChatModel, questionOf } from "../scripted-model.ts";

/** One choice offered: what the person sees, and what the driver sends to pick it (button data, a number, the text). */
export interface Choice {
  label: string;
  payload: string;
}

/** What a person sees after sending something: every message's text, and the choices offered under the last. */
export interface Seen {
  /** As the person reads it: every part, markup removed and entities decoded. */
  text: string;
  choices: Choice[];
}

export interface ChannelDriver {
  /** Sends text as `user` (numeric strings, usable as Telegram chat ids); resolves with what they see next. */
  send(user: string, text: string): Promise<Seen>;
  /** Picks the offered choice labelled `label` the way the channel lets people do it. */
  choose(user: string, seen: Seen, label: string): Promise<Seen>;
  /** Stops what the driver started (bots, fake APIs, stores). */
  close(): Promise<void>;
}

/** Builds a driver over the engine it is given (a fresh one per test). */
export type MakeChannelDriver = (engine: Engine) => Promise<ChannelDriver>;

export interface ChannelContractOptions {
  /** The engine whose knowledge index the tests share (loaded once); its state is never touched. */
  base: () => Promise<Engine>;
}

let userSeq = 0;
/** A person no other test has used (numbers, so Telegram can use them as chat ids). */
const nextUser = () => String(700_000 + ++userSeq);

/** The choice labelled `label`, or an error listing what was offered. */
export function findChoice(seen: Seen, label: string): Choice {
  const choice = seen.choices.find((c) => c.label === label);
  if (!choice) throw new Error(`no choice "${label}" offered; offered: ${seen.choices.map((c) => c.label).join(", ") || "none"}`);
  return choice;
}

/** A fresh engine over `base`'s index, retriever and replies: its own store, sessions and registrations. */
async function freshEngine(base: Engine): Promise<{ engine: Engine; store: KeyValueStore }> {
  const store = await openStore("memory://");
  const registration = base.registration
    ? new RegistrationService({ kb: base.index.kb, kv: store, prompts: base.registration.prompts, destinations: { offices: {} } })
    : undefined;
  return { engine: new Engine(base.index, base.retriever, base.replies, store, undefined, registration), store };
}

export function runChannelContract(name: string, makeDriver: MakeChannelDriver, options: ChannelContractOptions): void {
  describe(`channel contract: ${name}`, () => {
    let engine: Engine;
    let store: KeyValueStore;
    let driver: ChannelDriver;
    beforeEach(async () => {
      ({ engine, store } = await freshEngine(await options.base()));
      driver = await makeDriver(engine);
    });
    afterEach(async () => {
      await driver.close();
      await store.close();
    });

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

    it("answers a picked suggestion as if its full text had been typed", async () => {
      const question = "phi dich vu toi da bao nhieu";
      const direct = await engine.handle({ channel: "contract-compare", userId: nextUser(), text: question });
      expect(direct.suggestions.length, "the answer offers follow-up questions").toBeGreaterThan(0);
      const expected = await engine.handle({ channel: "contract-compare", userId: nextUser(), text: direct.suggestions[0]! });
      const user = nextUser();
      const seen = await driver.send(user, question);
      expect(seen.choices.length).toBe(direct.suggestions.length);
      const picked = await driver.choose(user, seen, seen.choices[0]!.label);
      expect(picked.text).toContain(expected.text.split("\n")[0]!);
    });

    it("replies to an empty message and to markup without echoing it raw", async () => {
      expect((await driver.send(nextUser(), "   ")).text).toContain("Bạn chưa gõ câu hỏi");
      const seen = await driver.send(nextUser(), "<script>alert(1)</script> giá vàng hôm nay");
      expect(seen.text).not.toContain("<script>");
    });

    it("sends a language model's grounded answer, and the offline one when the model invents a figure", async () => {
      const grounded = "Đi Đài Loan, tiền ký quỹ không quá 12 triệu đồng (Nghị định 112/2021/NĐ-CP).";
      engine.useLanguageModel({
        model: new ScriptedChatModel((messages) => (questionOf(messages).includes("bao nhieu") ? grounded : "Ký quỹ đi Đài Loan là 50 triệu đồng (Nghị định 112/2021/NĐ-CP).")),
        prompts: loadLlmPrompts(engine.index.kb.texts.dir),
      });
      const seen = await driver.send(nextUser(), "ky quy di dai loan bao nhieu");
      expect(seen.text).toContain("tiền ký quỹ không quá 12 triệu đồng (Nghị định 112/2021/NĐ-CP)");
      const replaced = await driver.send(nextUser(), "ky quy di dai loan la the nao");
      expect(replaced.text).not.toContain("50 triệu");
      expect(replaced.text).toContain("Nghị định 112/2021/NĐ-CP");
    });

    it("keeps one person's conversation apart from another's", async () => {
      const [a, b] = [nextUser(), nextUser()];
      await driver.send(a, "cty doi 4 thang luong tien dich vu co dung ko");
      const other = await driver.send(b, "Đài Loan");
      expect(other.text).not.toContain("Hợp đồng làm việc mấy năm?");
    });
  });
}

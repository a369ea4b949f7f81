/**
 * The channel runtime with a fake platform and a scripted engine: ordering per chat,
 * redeliveries, choice memory, splitting, the error and withheld-content replies, logs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage, Reply } from "../src/contract.ts";
import { ChannelRuntime, type Channel, type ChannelEngine } from "../src/channels/runtime.ts";
import { choicePayload, readChoicePayload } from "../src/channels/choices.ts";
import { channelTexts } from "../src/channels/texts.ts";
import type { KeyValueStore } from "../src/store/store.ts";
import { captureLogs, memoryStore, realEngine } from "./helpers.ts";

let base: Awaited<ReturnType<typeof realEngine>>;
beforeAll(async () => {
  base = await realEngine();
});

interface Sent {
  chatId: string;
  text: string;
  attach?: string[];
}

/**
 * A scripted engine (answers "re: <text>", with the suggestions `suggest[text]`; "slow…"
 * takes 80 ms, "boom" throws) and a fake push platform recording what it sends.
 */
function setup(options: { store: KeyValueStore; style?: Channel["choices"]; choiceTtlMs?: number; max?: number; logger?: ReturnType<typeof captureLogs>["logger"]; suggest?: Record<string, string[]> }) {
  const asked: IncomingMessage[] = [];
  const sent: Sent[] = [];
  const typing: string[] = [];
  const engine: ChannelEngine = {
    replies: base.replies,
    index: base.index,
    handle: async (m) => {
      asked.push(m);
      if (m.text?.startsWith("slow")) await new Promise((r) => setTimeout(r, 80));
      if (m.text === "boom") throw new Error("engine failed for 0912345678");
      const reply: Reply = { text: `re: ${m.text}`, citations: [], suggestions: options.suggest?.[m.text ?? ""] ?? [], intent: "qa", confident: true };
      return reply;
    },
  };
  const channel: Channel<string[]> = {
    name: "fake",
    choices: options.style ?? "buttons",
    choiceTtlMs: options.choiceTtlMs,
    output: {
      split: { max: options.max ?? 2000 },
      render: (reply, replyId) => ({ text: reply.text, attach: reply.suggestions.map((_, index) => choicePayload({ replyId, index })) }),
      send: async (chatId, text, attach) => void sent.push({ chatId, text, ...(attach ? { attach } : {}) }),
      typing: async (chatId) => void typing.push(chatId),
    },
  };
  const runtime = new ChannelRuntime(channel, { engine, store: options.store, logger: options.logger, typingDelayMs: 30 });
  return { runtime, asked, sent, typing };
}

const msg = (chatId: string, text: string | null, messageId?: string) => ({ chatId, userId: `u-${chatId}`, text, ...(messageId ? { messageId } : {}) });

describe("channel runtime: ordering", () => {
  it("answers one chat's messages one after another, other chats in parallel", async () => {
    const { runtime, sent } = setup({ store: await memoryStore() });
    const all = [runtime.receive(msg("a", "slow first")), runtime.receive(msg("a", "fast second")), runtime.receive(msg("b", "fast other"))];
    await Promise.all(all);
    expect(sent.filter((s) => s.chatId === "a").map((s) => s.text)).toEqual(["re: slow first", "re: fast second"]);
    // Chat b did not wait behind chat a's slow message.
    expect(sent.map((s) => s.text)[0]).toBe("re: fast other");
  });

  it("keeps answering a chat after one of its messages failed", async () => {
    const { runtime, sent } = setup({ store: await memoryStore() });
    const [failed, next] = await Promise.all([runtime.receive(msg("c", "boom")), runtime.receive(msg("c", "after"))]);
    expect(failed.kind).toBe("failed");
    expect(next.kind).toBe("answered");
    expect(sent.map((s) => s.text)).toEqual([base.replies.error, "re: after"]);
  });

  it("drain() waits for every message received", async () => {
    const { runtime, sent } = setup({ store: await memoryStore() });
    void runtime.receive(msg("d", "slow 1"));
    void runtime.receive(msg("d", "slow 2"));
    await runtime.drain();
    expect(sent).toHaveLength(2);
  });
});

describe("channel runtime: redeliveries", () => {
  it("answers a message id once, even when both copies arrive together", async () => {
    const { runtime, asked } = setup({ store: await memoryStore() });
    const outcomes = await Promise.all([runtime.receive(msg("e", "hello", "m1")), runtime.receive(msg("e", "hello", "m1"))]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["answered", "duplicate"]);
    expect(asked).toHaveLength(1);
    // The id is per chat: another chat's m1 is another message.
    expect((await runtime.receive(msg("f", "hello", "m1"))).kind).toBe("answered");
  });

  it("agrees with another instance sharing the store", async () => {
    const store = await memoryStore();
    const one = setup({ store });
    const two = setup({ store });
    expect((await one.runtime.receive(msg("g", "hello", "m9"))).kind).toBe("answered");
    expect((await two.runtime.receive(msg("g", "hello", "m9"))).kind).toBe("duplicate");
    expect(two.asked).toHaveLength(0);
    expect(await one.runtime.firstDelivery("bot:g:m10")).toBe(true);
    expect(await two.runtime.firstDelivery("bot:g:m10")).toBe(false);
    expect(await one.runtime.firstDelivery("bot:g:m10")).toBe(false);
  });

  it("answers messages without an id every time (the transport does not repeat them)", async () => {
    const { runtime, asked } = setup({ store: await memoryStore() });
    await runtime.receive(msg("h", "hello"));
    await runtime.receive(msg("h", "hello"));
    expect(asked).toHaveLength(2);
  });
});

describe("channel runtime: choices", () => {
  it("buttons: a press sends the choice of the reply that showed it, whichever reply is newer", async () => {
    const { runtime, asked } = setup({ store: await memoryStore(), suggest: { one: ["A?", "B?"], two: ["C?"] } });
    const first = await runtime.receive(msg("i", "one"));
    const second = await runtime.receive(msg("i", "two"));
    if (first.kind !== "answered" || second.kind !== "answered") throw new Error("not answered");
    expect(first.replyId).not.toBe(second.replyId);
    await runtime.receive({ ...msg("i", null), choice: { replyId: first.replyId, index: 1 } });
    expect(asked.at(-1)?.text).toBe("B?");
    await runtime.receive({ ...msg("i", null), choice: readChoicePayload(choicePayload({ replyId: second.replyId, index: 0 })) });
    expect(asked.at(-1)?.text).toBe("C?");
  });

  it("buttons: an unknown, out-of-range or expired choice gets the 'too old' reply, without asking the engine", async () => {
    const { runtime, asked, sent } = setup({ store: await memoryStore(), choiceTtlMs: 60, suggest: { one: ["A?"] } });
    const shown = await runtime.receive(msg("j", "one"));
    if (shown.kind !== "answered") throw new Error("not answered");
    const before = asked.length;
    const press = (replyId: string, index: number) => runtime.receive({ ...msg("j", null), choice: { replyId, index } });
    await press("nope1234", 0);
    await press(shown.replyId, 5);
    await press("", -1); // an unreadable payload (readChoicePayload)
    await new Promise((r) => setTimeout(r, 120));
    await press(shown.replyId, 0); // valid a moment ago; its time to live is over
    expect(asked.length).toBe(before);
    const tooOld = channelTexts(base.index.kb).choice_expired;
    expect(sent.slice(-4).map((s) => s.text)).toEqual([tooOld, tooOld, tooOld, tooOld]);
  });

  it("numbers: a typed number picks from the chat's last options; after a reply without options it is just text", async () => {
    const { runtime, asked } = setup({ store: await memoryStore(), style: "numbers", suggest: { one: ["A?", "B?"] } });
    await runtime.receive(msg("k", "one"));
    await runtime.receive(msg("k", " 2. "));
    expect(asked.at(-1)?.text).toBe("B?");
    // "B?" has no options: the next "1" is text.
    await runtime.receive(msg("k", "1"));
    expect(asked.at(-1)?.text).toBe("1");
  });

  it("text: nothing is kept, a number is text (the web page posts the chosen text)", async () => {
    const store = await memoryStore();
    const { runtime, asked } = setup({ store, style: "text", suggest: { one: ["A?"] } });
    const shown = await runtime.receive(msg("l", "one"));
    await runtime.receive(msg("l", "1"));
    expect(asked.at(-1)?.text).toBe("1");
    if (shown.kind !== "answered") throw new Error("not answered");
    expect(await store.get(`fake:sugg:l:${shown.replyId}`)).toBeUndefined();
  });
});

describe("channel runtime: sending", () => {
  it("splits to the platform's limit and puts the attachment under the last part only", async () => {
    const long = Array.from({ length: 30 }, (_, i) => `Dòng ${i}: một câu khá dài để thử việc cắt tin nhắn.`).join("\n");
    const { runtime, sent } = setup({ store: await memoryStore(), max: 400, suggest: { [long]: ["A?"] } });
    const out = await runtime.receive(msg("m", long));
    expect(out.kind === "answered" && out.parts).toBeGreaterThan(1);
    for (const s of sent) expect(s.text.length).toBeLessThanOrEqual(400);
    expect(sent.slice(0, -1).every((s) => s.attach === undefined)).toBe(true);
    expect(sent.at(-1)!.attach).toHaveLength(1);
    expect(sent.map((s) => s.text).join("\n")).toBe(`re: ${long}`);
  });

  it("passes media to the engine as null, and answers withheld content with the way to an officer", async () => {
    const { runtime, asked, sent } = setup({ store: await memoryStore() });
    await runtime.receive(msg("n", null));
    expect(asked.at(-1)?.text).toBeNull();
    const before = asked.length;
    await runtime.receive({ ...msg("n", null), withheld: true });
    expect(asked.length).toBe(before);
    expect(sent.at(-1)!.text).toBe(base.replies.handoff);
  });

  it("shows 'typing…' only when the answer takes a while", async () => {
    const { runtime, typing } = setup({ store: await memoryStore() });
    await runtime.receive(msg("o", "fast"));
    expect(typing).toEqual([]);
    await runtime.receive(msg("o", "slow"));
    expect(typing).toEqual(["o"]);
  });

  it("returns the reply without sending when the channel has no output (request/response)", async () => {
    const store = await memoryStore();
    const runtime = new ChannelRuntime({ name: "api", choices: "text" }, { engine: { replies: base.replies, index: base.index, handle: async () => ({ text: "ok", citations: [], suggestions: [], intent: "qa", confident: true }) }, store });
    const out = await runtime.receive(msg("p", "hello"));
    expect(out.kind === "answered" && out.reply.text).toBe("ok");
  });
});

describe("channel runtime: logs", () => {
  it("carry the kind of message, intent and timing — never the text, names or phone numbers", async () => {
    const logs = captureLogs("debug");
    const { runtime } = setup({ store: await memoryStore(), logger: logs.logger });
    await runtime.receive(msg("q", "Nguyễn Văn An, số 0912345678, đi Nhật phí bao nhiêu", "m1"));
    await runtime.receive(msg("q", "Nguyễn Văn An, số 0912345678, đi Nhật phí bao nhiêu", "m1"));
    await runtime.receive(msg("q", "boom"));
    const text = logs.text();
    expect(text).toContain("message answered");
    expect(text).toContain("duplicate delivery ignored");
    expect(text).toContain("message failed");
    expect(text).not.toContain("0912345678");
    expect(text).not.toMatch(/Nguyễn|đi Nhật|boom/);
  });
});

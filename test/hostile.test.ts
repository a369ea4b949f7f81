/**
 * Hostile input through every channel (issue #7, item 8): a generated corpus of 600+
 * inputs (test/fixtures/hostile-corpus.ts) goes through the engine, the renderers, the web
 * app in process and the Telegram bot over a fake Bot API. Each gets a short reply or is
 * safely ignored, nothing crashes, and no reply carries markup the renderer did not emit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import { MAX_MESSAGE_CHARS, type Engine } from "../src/engine/engine.ts";
import type { Reply } from "../src/contract.ts";
import { cleanUserText } from "../src/text/normalize.ts";
import { renderPlain, renderTelegramHtml } from "../src/channels/render.ts";
import { createWebApp } from "../src/channels/web/app.ts";
import { openStore } from "../src/store/store.ts";
import { FakeTelegramApi } from "./fakes/telegram-api.ts";
import { hostileCorpus, prng, type HostileInput } from "./fixtures/hostile-corpus.ts";
import { realEngine, waitFor, startFakeTelegram, withTexts } from "./helpers.ts";

const CORPUS = hostileCorpus();
const MAX_CHANNEL_CHARS = 4096;
const NORMAL_QUESTION = "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?";
/** The registration answers of test/registration-engine.test.ts, up to the summary. */
const FORM_ANSWERS = ["Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong"];
/** The rest of a complete form, after FORM_ANSWERS. */
const FORM_REST = ["thợ hàn 3 năm", "Biết chút ít", "Hộ cận nghèo", "Buổi tối", "Gọi sau 7 giờ tối giúp em"];

let engine: Engine;
beforeAll(async () => {
  engine = await realEngine();
});

const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…(${s.length})` : s);
const isOverLimit = (text: string) => cleanUserText(text).length > MAX_MESSAGE_CHARS;
const TOO_LONG_RE = /^Tin nhắn dài quá/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 (but newline), DEL and C1 controls. */
const CONTROL_RE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/;

/**
 * What is wrong with a Telegram HTML message, if anything: only <b> and <i> (the renderer's
 * own), properly nested; every other <, >, & escaped; no lone surrogates (Telegram needs UTF-8).
 */
export function telegramHtmlProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([^<>]*)>/g)) {
    const [, close, name] = m;
    if (name !== "b" && name !== "i") {
      problems.push(`foreign tag <${close}${name!.slice(0, 20)}>`);
      continue;
    }
    if (!close) stack.push(name);
    else if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
  }
  if (stack.length) problems.push(`unclosed <${stack.join("><")}>`);
  const text = html.replace(/<\/?(?:b|i)>/g, "");
  if (/[<>]/.test(text)) problems.push("unescaped < or >");
  const amp = /&(?!(?:amp|lt|gt|quot);)/.exec(text);
  if (amp) problems.push(`bare & at ${amp.index}: ${JSON.stringify(text.slice(amp.index, amp.index + 8))}`);
  if (LONE_SURROGATE_RE.test(html)) problems.push("lone surrogate");
  if (html.length > MAX_CHANNEL_CHARS) problems.push(`length ${html.length}`);
  return problems;
}

/** What is wrong with the engine's reply to `input`, if anything. */
function replyProblems(input: string, reply: Reply): string[] {
  const problems: string[] = [];
  if (!reply.text.trim()) problems.push("empty reply");
  if (reply.text.length > MAX_CHANNEL_CHARS) problems.push(`reply ${reply.text.length} chars`);
  if (!engine.intents.includes(reply.intent)) problems.push(`intent ${reply.intent}`);
  if (!Array.isArray(reply.citations) || !Array.isArray(reply.suggestions)) problems.push("malformed reply");
  if (isOverLimit(input) !== TOO_LONG_RE.test(reply.text)) {
    problems.push(isOverLimit(input) ? "over the limit but no 'too long' reply" : "'too long' reply under the limit");
  }
  return problems;
}

describe("hostile corpus", () => {
  it("is deterministic, large and covers every category", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(500);
    expect(hostileCorpus().map((c) => c.text)).toEqual(CORPUS.map((c) => c.text));
    const categories = new Set(CORPUS.map((c) => c.category));
    for (const c of ["long", "control", "invisible", "surrogate", "zalgo", "nfd", "html", "telegram_html", "markdown", "prompt_injection", "sql", "path", "number", "fee_absurd", "emoji", "rtl", "blank", "punctuation", "command", "mixed"]) {
      expect(categories, c).toContain(c);
    }
    expect(new Set(CORPUS.map((c) => c.id)).size).toBe(CORPUS.length);
    expect(Math.max(...CORPUS.map((c) => c.text.length))).toBeGreaterThanOrEqual(1024 * 1024);
  });
});

describe("engine under hostile input", () => {
  const replies = new Map<string, Reply>();

  it("answers every input without throwing: short, non-empty, a known intent, 'too long' over the limit", async () => {
    const problems: string[] = [];
    for (const input of CORPUS) {
      try {
        const reply = await engine.handle({ channel: "cli", userId: `hostile-${input.id}`, text: input.text });
        replies.set(input.id, reply);
        for (const p of replyProblems(input.text, reply)) problems.push(`${input.id} ${show(input.text)}: ${p}`);
      } catch (err) {
        problems.push(`${input.id} ${show(input.text)}: threw ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(replies.size).toBe(CORPUS.length);
    expect(CORPUS.filter((c) => isOverLimit(c.text)).length).toBeGreaterThan(10);
  });

  it("renders every reply safely: Telegram HTML has only its own tags, plain text no control characters", () => {
    expect(replies.size).toBe(CORPUS.length);
    const problems: string[] = [];
    for (const input of CORPUS) {
      const reply = replies.get(input.id)!;
      for (const p of telegramHtmlProblems(renderTelegramHtml(reply, engine.index.kb))) problems.push(`${input.id} html: ${p}`);
      const plain = renderPlain(reply, engine.index.kb);
      if (CONTROL_RE.test(plain)) problems.push(`${input.id} plain: control character ${JSON.stringify(CONTROL_RE.exec(plain)![0])}`);
      if (LONE_SURROGATE_RE.test(plain)) problems.push(`${input.id} plain: lone surrogate`);
      if (plain.length > MAX_CHANNEL_CHARS) problems.push(`${input.id} plain: ${plain.length} chars`);
    }
    expect(problems).toEqual([]);
  });

  it("escapes document and reply text too: an injected citation renders as text", () => {
    const html = renderTelegramHtml(
      {
        text: "<script>alert(1)</script> & </code>",
        citations: [{ doc: '<a href="x">Luật</a>', title: "t", locator: "Điều 1 & <b>2</b>", status: "in_force" }],
        suggestions: [],
        intent: "qa",
        confident: true,
      },
      withTexts(engine.index.kb, "citations", { sources_label: "<i>Nguồn" }),
    );
    expect(telegramHtmlProblems(html)).toEqual([]);
  });

  it("stays responsive: a normal question afterwards is answered with a citation", async () => {
    const reply = await engine.handle({ channel: "cli", userId: "hostile-after", text: NORMAL_QUESTION });
    expect(reply.text).toContain("5.000");
    expect(reply.citations.length).toBeGreaterThan(0);
    expect((await engine.handle({ channel: "cli", userId: "hostile-after", text: null })).text).toMatch(/chỉ đọc được tin nhắn chữ/);
  });

  it("one person sending 200 hostile inputs in a row never gets stuck in a flow", async () => {
    const rnd = prng(200);
    const starters = [
      "/dangky", "Đồng ý", "Nguyễn Văn An", "cty doi 4 thang luong tien dich vu co dung ko",
      "cty doi 999999999999999999999 thang luong tien dich vu di nhat", "Đài Loan", "/hoicanbo", "/trangthai",
    ];
    const userId = "hostile-serial";
    const problems: string[] = [];
    for (let i = 0; i < 200; i++) {
      const text = i % 7 === 0 ? starters[(i / 7) % starters.length]! : CORPUS[Math.floor(rnd() * CORPUS.length)]!.text;
      try {
        const reply = await engine.handle({ channel: "cli", userId, text });
        if (!reply.text.trim()) problems.push(`#${i} ${show(text)}: empty reply`);
        if (reply.text.length > MAX_CHANNEL_CHARS) problems.push(`#${i} ${show(text)}: ${reply.text.length} chars`);
        if (!engine.intents.includes(reply.intent)) problems.push(`#${i}: intent ${reply.intent}`);
        problems.push(...telegramHtmlProblems(renderTelegramHtml(reply, engine.index.kb)).map((p) => `#${i} ${show(text)}: ${p}`));
      } catch (err) {
        problems.push(`#${i} ${show(text)}: threw ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    await engine.handle({ channel: "cli", userId, text: "/huy" });
    const reply = await engine.handle({ channel: "cli", userId, text: NORMAL_QUESTION });
    expect(reply.intent).not.toBe("register");
    expect(reply.text).toContain("5.000");
    expect(reply.citations.length).toBeGreaterThan(0);
  });

  it("after /hoicanbo then /huy, the next question is answered, not sent to an officer", async () => {
    const userId = "hostile-ask-cancel";
    const say = (text: string) => engine.handle({ channel: "cli", userId, text });
    await say("/dangky");
    for (const a of FORM_ANSWERS) await say(a);
    for (const a of FORM_REST) await say(a);
    expect((await say("Xác nhận")).text).toMatch(/DK-/);
    await say("/hoicanbo");
    expect((await say("/huy")).text).toMatch(/dừng|hủy/i);
    const reply = await say(NORMAL_QUESTION);
    expect(reply.text, "the cancelled 'hỏi cán bộ' still swallows the next message").not.toMatch(/Đã chuyển câu hỏi/);
    expect(reply.citations.length).toBeGreaterThan(0);
  });

  it("echoes no control or bidi characters back in the registration summary", async () => {
    const userId = "hostile-echo";
    const say = (text: string) => engine.handle({ channel: "cli", userId, text });
    await say("/dangky");
    for (const a of FORM_ANSWERS) await say(a);
    const dirty = "thợ\u0085 hàn\u009b 3\u0080 năm \u061C\u202Eabc\u0007";
    for (const a of [dirty, "Biết chút ít", "Hộ cận nghèo", "Buổi tối"]) await say(a);
    const summary = renderPlain(await say(`Gọi\u0085 sau 7 giờ\u009b tối \u061Cgiúp em`), engine.index.kb);
    expect(summary).toContain("Lời nhắn");
    const bad = [...summary].filter((ch) => CONTROL_RE.test(ch) || /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/.test(ch));
    expect(bad.map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)).toEqual([]);
    await say("/huy");
  });

  it("answers a 2,000-letter word quickly (the typo corrector must not go quadratic)", async () => {
    const rnd = prng(2000);
    const words = ["x".repeat(MAX_MESSAGE_CHARS), Array.from({ length: MAX_MESSAGE_CHARS }, () => "abcdefghiklmnopqrstuvxy"[Math.floor(rnd() * 23)]).join("")];
    for (const [i, text] of words.entries()) {
      const started = performance.now();
      await engine.handle({ channel: "cli", userId: `hostile-word-${i}`, text });
      expect(performance.now() - started, `word ${i}`).toBeLessThan(300);
    }
  });
});

/** Every input over the limit, the nastiest few of each category, then every n-th. */
function sample(corpus: HostileInput[], want: number, perCategory: number): HostileInput[] {
  const picked = new Map<string, HostileInput>();
  const seen = new Map<string, number>();
  for (const c of corpus) {
    const n = seen.get(c.category) ?? 0;
    seen.set(c.category, n + 1);
    if (n < perCategory) picked.set(c.id, c);
  }
  const step = Math.max(1, Math.floor(corpus.length / Math.max(1, want - picked.size)));
  for (let i = 0; picked.size < want && i < corpus.length; i += step) picked.set(corpus[i]!.id, corpus[i]!);
  return [...picked.values()];
}

describe("web chat under hostile input", () => {
  let app: Hono;
  beforeAll(async () => {
    app = createWebApp({ engine, store: await openStore("memory://") });
  });
  const post = (body: string | ArrayBuffer, contentType = "application/json") =>
    app.request("/api/chat", { method: "POST", headers: { "content-type": contentType }, body });
  /** Vietnamese: at least one letter with a Vietnamese diacritic. */
  const VIETNAMESE_RE = /[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]/i;

  it("answers a sample of 120+ with 200 or a 4xx with a Vietnamese error, never a 500", async () => {
    const inputs = sample(CORPUS, 130, 4);
    expect(inputs.length).toBeGreaterThanOrEqual(100);
    const problems: string[] = [];
    for (const input of inputs) {
      const res = await post(JSON.stringify({ message: input.text }));
      const body = (await res.json()) as { reply?: Reply; error?: string; session?: string };
      if (res.status === 200) {
        if (!body.reply) problems.push(`${input.id}: 200 without reply`);
        else problems.push(...replyProblems(input.text, body.reply).map((p) => `${input.id} ${show(input.text)}: ${p}`));
      } else if (res.status >= 400 && res.status < 500) {
        if (!body.error || !VIETNAMESE_RE.test(body.error)) problems.push(`${input.id}: ${res.status} without a Vietnamese error`);
      } else {
        problems.push(`${input.id} ${show(input.text)}: status ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("rejects malformed requests with a 4xx and a clear Vietnamese message", async () => {
    const bad: Array<[string, string | ArrayBuffer, string?]> = [
      ["not JSON", "{not json"],
      ["empty body", ""],
      ["JSON null", "null"],
      ["JSON array", "[]"],
      ["JSON string", '"xin chào"'],
      ["number message", '{"message": 5}'],
      ["null message", '{"message": null}'],
      ["object message", '{"message": {"$gt": ""}}'],
      ["path as session", '{"message": "xin chào", "session": "../../etc/passwd"}'],
      ["HTML as session", '{"message": "xin chào", "session": "<script>alert(1)</script>"}'],
      ["deep nesting", "[".repeat(50_000) + "]".repeat(50_000)],
      ["truncated", '{"message": "xin ch'],
      ["binary", new Uint8Array([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28]).buffer],
      ["form-encoded", "message=xin+chao", "application/x-www-form-urlencoded"],
      ["multipart", '--x\r\ncontent-disposition: form-data; name="message"\r\n\r\nxin chào\r\n--x--', "multipart/form-data; boundary=x"],
      ["plain text", "xin chào", "text/plain"],
    ];
    const problems: string[] = [];
    for (const [name, body, type] of bad) {
      const res = await post(body, type);
      const json = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status < 400 || res.status >= 500) problems.push(`${name}: status ${res.status}`);
      else if (!json.error || !VIETNAMESE_RE.test(json.error)) problems.push(`${name}: error ${JSON.stringify(json.error)}`);
    }
    expect(problems).toEqual([]);
  });

  it("refuses bodies over the limit with 413 and says the message is too big", async () => {
    for (const message of ["a".repeat(1024 * 1024), "😀".repeat(100_000)]) {
      const res = await post(JSON.stringify({ message }));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toMatch(/quá lớn/);
    }
  });

  it("says a message over 100,000 characters (under the body limit) is too long, not missing", async () => {
    const res = await post(JSON.stringify({ message: "a".repeat(150_000) }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const { error } = (await res.json()) as { error: string };
    expect(error).not.toMatch(/Thiếu câu hỏi/);
    expect(error).toMatch(/dài|lớn/);
  });

  it("still answers normally afterwards, and other routes stay 404 JSON", async () => {
    const res = await post(JSON.stringify({ message: NORMAL_QUESTION }));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reply: Reply }).reply.citations.length).toBeGreaterThan(0);
    for (const path of ["/api/chat/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/<script>"]) {
      const r = await app.request(path);
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/Không có trang này/);
    }
    const history = await app.request("/api/history?session=../../etc/passwd");
    expect(await history.json()).toEqual({ turns: [] });
  });
});

describe("Telegram bot under hostile input (fake Bot API)", () => {
  let api: FakeTelegramApi;

  let stopTelegram: () => Promise<void>;

  beforeAll(async () => {
    ({ api, stop: stopTelegram } = await startFakeTelegram(engine));
  });

  afterAll(() => stopTelegram());

  const problemsOf = (chatId: number) =>
    api.sentTo(chatId).flatMap((m) => [
      ...(m.parse_mode === "HTML" ? [] : [`parse_mode ${m.parse_mode}`]),
      ...telegramHtmlProblems(m.text),
    ]);

  it("replies to each of 60+ hostile messages and non-text updates, always valid HTML", async () => {
    const inputs = sample(CORPUS, 64, 2);
    expect(inputs.length).toBeGreaterThanOrEqual(50);
    const base = 10_000;
    inputs.forEach((input, i) => api.pushText(base + i, input.text));
    // Non-text updates and stale or forged button payloads.
    const extra = base + inputs.length;
    api.pushMessage(extra, { sticker: { file_id: "s", file_unique_id: "s", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } });
    api.pushMessage(extra + 1, { location: { latitude: 1e308, longitude: -1e308 } });
    api.pushMessage(extra + 2, { text: "\u202E<b>x</b>", entities: [{ type: "bold", offset: 0, length: 9999 }] });
    api.pushCallback(extra + 3, "s:9");
    api.pushCallback(extra + 4, "../../etc/passwd" + "x".repeat(1000));
    const chats = [...inputs.map((_, i) => base + i), extra, extra + 1, extra + 2, extra + 3, extra + 4];
    await waitFor(() => (chats.every((c) => api.sentTo(c).length >= 1) ? true : undefined), 20_000);

    const problems: string[] = [];
    inputs.forEach((input, i) => {
      const sent = api.sentTo(base + i);
      if (sent.length < 1 || sent.length > 3) problems.push(`${input.id}: ${sent.length} replies`);
      if (isOverLimit(input.text) && !/dài quá/.test(sent[0]?.text ?? "")) problems.push(`${input.id}: no 'too long' reply`);
      problems.push(...problemsOf(base + i).map((p) => `${input.id} ${show(input.text)}: ${p}`));
    });
    for (const c of chats.slice(inputs.length)) problems.push(...problemsOf(c).map((p) => `extra ${c}: ${p}`));
    expect(problems).toEqual([]);
    expect(api.sentTo(extra)[0]!.text).toMatch(/chỉ đọc được tin nhắn chữ/);
  });

  it("keeps a long registration summary full of & and quotes valid HTML, each message under 4,096", async () => {
    const chat = 20_001;
    const amp = (n: number) => `a${'&"'.repeat(n).slice(0, n - 1)}`;
    // The form up to its last question straight through the engine (the bot's rate limit
    // would slow 15 messages down), as the same Telegram user; the last answer over the API.
    const say = (text: string) => engine.handle({ channel: "telegram", userId: String(chat), text });
    for (const a of ["/dangky", ...FORM_ANSWERS, amp(200), amp(100), "Hộ cận nghèo", amp(100)]) await say(a);
    api.pushText(chat, amp(500));
    await waitFor(() => (api.sentTo(chat).length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // a long reply may come in several messages
    const sent = api.sentTo(chat);
    const problems = sent.flatMap((m, i) => [
      ...(m.parse_mode === "HTML" ? [] : [`#${i} parse_mode ${m.parse_mode}`]),
      ...telegramHtmlProblems(m.text).map((p) => `#${i}: ${p}`),
    ]);
    expect(problems).toEqual([]);
    const all = sent.map((m) => m.text).join("\n");
    expect(all).toContain("Lời nhắn");
    // The person must still see how to confirm, with the buttons under the last message.
    expect(all).toContain("Xác nhận");
    expect(sent.at(-1)!.reply_markup?.inline_keyboard?.flat().map((b) => b.text)).toContain("Xác nhận");
  });

  it("is still alive after all of it: /start is answered", async () => {
    api.pushText(30_000, "/start");
    const [msg] = await waitFor(() => (api.sentTo(30_000).length ? api.sentTo(30_000) : undefined));
    expect(msg!.text).toMatch(/Chào bạn/);
    expect(msg!.parse_mode).toBe("HTML");
  });
});

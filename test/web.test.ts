import { beforeAll, describe, expect, it } from "vitest";
import type { Hono } from "hono";
import { createWebApp } from "../src/channels/web/app.ts";
import { openStore } from "../src/store/store.ts";
import { findChoice, runChannelContract, type Seen } from "../src/testing/contracts/channel.ts";
import type { Reply } from "../src/contract.ts";
import { channelTexts } from "../src/channels/texts.ts";
import { chatPage } from "../src/channels/web/page.ts";
import { realEngine, withTexts } from "./helpers.ts";

let app: Hono;
beforeAll(async () => {
  app = createWebApp({ engine: await realEngine(), store: await openStore("memory://") });
});

const post = (body: unknown) =>
  app.request("/api/chat", { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("web chat", () => {
  it("serves a Vietnamese page that renders replies as text, not markup", async () => {
    const res = await app.request("/");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('lang="vi"');
    expect(html).toContain('<label for="q">');
    expect(html).not.toContain("innerHTML");
  });

  it("gets its wording from prompts/channels.yaml, the script's strings as inert JSON", async () => {
    const kb = (await realEngine()).index.kb;
    const t = channelTexts(kb).web.page;
    const html = await (await app.request("/")).text();
    expect(html).toContain(`<title>${t.title}</title>`);
    expect(html).toContain(`placeholder="${t.input_placeholder}"`);
    const blob = (page: string) => JSON.parse(/<script type="application\/json" id="page-texts">([\s\S]*?)<\/script>/.exec(page)![1]!) as Record<string, unknown>;
    expect(blob(html)).toMatchObject({ welcomeBack: t.welcome_back, sources: "Nguồn:", welcome: (await realEngine()).replies.greeting });
    // Wording that looks like markup stays text: escaped in the HTML, inert in the JSON.
    const web = (kb.texts.files.get("channels")!.data as { web: { page: object } }).web;
    const attack = "</script><script>alert(1)</script>";
    const page = chatPage(withTexts(kb, "channels", { web: { ...web, page: { ...web.page, title: '<img src=x onerror=alert(1)>"', welcome_back: attack } } }), "x");
    expect(page).not.toContain("<img");
    expect(page).not.toContain("</script><script>alert(1)");
    expect(blob(page).welcomeBack).toBe(attack);
  });

  it("answers a question with citations and a session id", async () => {
    const res = await post({ message: "lang son dat muc tieu dua bao nhieu lao dong sang sung ta" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { session: string; reply: { text: string; citations: Array<{ doc: string }>; intent: string } };
    expect(body.session).toMatch(/^[A-Za-z0-9_-]{8,}$/);
    expect(body.reply.text).toContain("5.000");
    expect(body.reply.citations[0]?.doc).toBe("Kế hoạch Tỉnh ủy Lạng Sơn");
  });

  it("keeps the conversation for the session", async () => {
    const first = (await (await post({ message: "xin chào" })).json()) as { session: string };
    await post({ message: "giá vàng hôm nay", session: first.session });
    const history = (await (await app.request(`/api/history?session=${first.session}`)).json()) as { turns: Array<{ role: string; text: string }> };
    expect(history.turns.map((t) => t.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(history.turns[2]!.text).toBe("giá vàng hôm nay");
  });

  it("returns HTML in a question as data, never as page markup", async () => {
    const res = await post({ message: "<img src=x onerror=alert(1)>" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("explains bad requests in Vietnamese", async () => {
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("JSON");
    const missing = await post({ text: "hỏi" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toContain("Thiếu câu hỏi");
  });

  it("answers an empty and a very long message briefly", async () => {
    const empty = (await (await post({ message: "" })).json()) as { reply: { text: string } };
    expect(empty.reply.text).toMatch(/chưa gõ câu hỏi/);
    const long = (await (await post({ message: "x".repeat(10_000) })).json()) as { reply: { text: string } };
    expect(long.reply.text).toContain("dài quá");
  });

  it("reports health", async () => {
    expect(await (await app.request("/healthz")).json()).toEqual({ ok: true });
  });
});

describe("web chat request errors", () => {
  it("says when the session id, not the message, is wrong", async () => {
    const res = await post({ message: "xin chào", session: "abc" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("Mã phiên");
  });
});

describe("operations endpoints", () => {
  it("serves Prometheus metrics: messages by channel and intent, latency, outbox depth", async () => {
    const { createMetrics } = await import("../src/metrics.ts");
    const engine = await realEngine();
    engine.metrics = createMetrics();
    engine.metrics.trackOutbox(async () => 3);
    await post({ message: "ky quy di dai loan bao nhieu" });
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/xkld_messages_total\{channel="web",intent="deposit"\} 1/);
    expect(text).toContain("xkld_reply_seconds_bucket");
    expect(text).toContain("xkld_outbox_pending 3");
    expect(text).not.toContain("ky quy");
    engine.metrics = undefined;
  });
});

// The web API as a channel: the page shows the text and the citations; a chip posts its text.
runChannelContract(
  "web",
  async (engine) => {
    const store = await openStore("memory://");
    const web = createWebApp({ engine, store });
    const sessions = new Map<string, string>();
    const say = async (user: string, message: string): Promise<Seen> => {
      const session = sessions.get(user);
      const res = await web.request("/api/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(session ? { message, session } : { message }),
      });
      const body = (await res.json()) as { session: string; reply: Reply };
      sessions.set(user, body.session);
      return {
        text: [body.reply.text, ...body.reply.citations.map((c) => `${c.doc}, ${c.locator}`)].join("\n"),
        choices: body.reply.suggestions.map((s) => ({ label: s, payload: s })),
      };
    };
    return { send: say, choose: (user, seen, label) => say(user, findChoice(seen, label).payload), close: () => store.close() };
  },
  { base: realEngine },
);

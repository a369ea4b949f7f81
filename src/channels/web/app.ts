/**
 * The local web chat: one small page and a JSON endpoint, as a Hono app so tests drive it
 * in process with `app.request(...)` and `npm start` serves it with @hono/node-server.
 * Messages go through the channel runtime (one session's messages in order, the error
 * reply, logs without text); the page posts a chosen suggestion's text, so nothing is kept
 * for choices. Every message the API and the page show is in prompts/channels.yaml.
 *
 * POST /api/chat  {"message": "…", "session": "optional id"} → {"session", "reply": Reply}
 * GET  /api/history?session=…                                → {"turns": [...]}
 * GET  /healthz                                               → {"ok": true}
 * GET  /api/passage?doc=…&locator=…                        → the cited passage (or our summary of it)
 * GET  /metrics                                               → Prometheus text format
 *
 * @example
 * const app = createWebApp({ engine, store });
 * const res = await app.request("/api/chat", { method: "POST", body: JSON.stringify({ message: "xin chào" }) });
 */
import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Engine } from "../../engine/engine.ts";
import type { Reply } from "../../contract.ts";
import type { Logger } from "../../logger.ts";
import type { KeyValueStore } from "../../store/store.ts";
import { ChannelRuntime } from "../runtime.ts";
import { channelTexts } from "../texts.ts";
import { chatPage } from "./page.ts";

/** Turns kept per web session (enough to show the conversation after a reload). */
const HISTORY_TURNS = 40;
const HISTORY_TTL_MS = 30 * 24 * 3600 * 1000;

const chatRequestSchema = z.object({
  message: z.string().max(100_000),
  session: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
});

export interface Turn {
  role: "user" | "assistant";
  text: string;
  reply?: Reply;
  at: string;
}

export interface WebAppOptions {
  engine: Engine;
  store: KeyValueStore;
  logger?: Logger;
}

function newSessionId(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * /healthz and /metrics, for every HTTP server the process runs (the web chat, the
 * Telegram webhook server).
 *
 * @example
 * new Hono().route("/", opsRoutes(engine));
 */
export function opsRoutes(engine: Engine): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/metrics", async (c) => {
    if (!engine.metrics) return c.text("metrics are off", 404);
    return c.text(await engine.metrics.registry.metrics(), 200, { "content-type": engine.metrics.registry.contentType });
  });
  return app;
}

export function createWebApp({ engine, store, logger }: WebAppOptions): Hono {
  const app = new Hono();
  const kb = engine.index.kb;
  const errors = channelTexts(kb).web.errors;
  const page = chatPage(kb, engine.replies.greeting);
  // Request and response: no output, the reply is returned; the page posts a chosen suggestion's text.
  const runtime = new ChannelRuntime({ name: "web", choices: "text" }, { engine, store, logger });

  app.get("/", (c) => c.html(page));
  app.route("/", opsRoutes(engine));

  app.post(
    "/api/chat",
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (c) => c.json({ error: errors.too_large }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: errors.not_json }, 400);
      }
      const parsed = chatRequestSchema.safeParse(body);
      if (!parsed.success) {
        const badSession = parsed.error.issues.some((i) => i.path[0] === "session");
        const tooLong = parsed.error.issues.some((i) => i.path[0] === "message" && i.code === "too_big");
        if (tooLong) return c.json({ error: errors.too_long }, 413);
        return c.json({ error: badSession ? errors.bad_session : errors.no_message }, 400);
      }
      const session = parsed.data.session ?? newSessionId();
      const outcome = await runtime.receive({ chatId: session, userId: session, text: parsed.data.message });
      if (outcome.kind !== "answered") return c.json({ error: outcome.kind === "failed" ? outcome.reply.text : engine.replies.error }, 500);
      const { reply } = outcome;
      const key = `web:history:${session}`;
      const turns = (await store.get<Turn[]>(key)) ?? [];
      const at = new Date().toISOString();
      turns.push({ role: "user", text: parsed.data.message.slice(0, 4000), at }, { role: "assistant", text: reply.text, reply, at });
      await store.set(key, turns.slice(-HISTORY_TURNS), HISTORY_TTL_MS);
      return c.json({ session, reply });
    },
  );

  app.get("/api/history", async (c) => {
    const session = c.req.query("session") ?? "";
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(session)) return c.json({ turns: [] });
    return c.json({ turns: (await store.get<Turn[]>(`web:history:${session}`)) ?? [] });
  });

  // The cited passage: a client document's own text, or, for a law we only summarise,
  // our card lines that cite it (marked as a summary).
  app.get("/api/passage", (c) => {
    const doc = c.req.query("doc") ?? "";
    const locator = c.req.query("locator") ?? "";
    if (!doc || !locator || doc.length > 200 || locator.length > 200) return c.json({ error: errors.passage_query }, 400);
    const source = engine.index.chunks.find((ch) => ch.metadata.kind === "source" && ch.metadata.doc === doc && ch.metadata.locator === locator);
    if (source) return c.json({ doc, locator, kind: "original", text: source.pageContent.slice(0, 4000) });
    const lines = kb.cards
      .filter((card) => card.meta.sources.some((s) => s.doc === doc && s.locator === locator))
      .flatMap((card) => card.details.filter((d) => d.includes(doc) && d.includes(locator)))
      .filter((line, i, all) => all.indexOf(line) === i)
      .slice(0, 5);
    if (!lines.length) return c.json({ error: errors.passage_missing }, 404);
    return c.json({ doc, locator, kind: "summary", text: lines.join("\n") });
  });

  app.notFound((c) => c.json({ error: errors.not_found }, 404));
  return app;
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEngine, type Engine } from "../src/engine/engine.ts";
import { createTelegramBot } from "../src/channels/telegram/bot.ts";
import { Writable } from "node:stream";
import { inject, onTestFinished } from "vitest";
import { openStore, type KeyValueStore } from "../src/store/store.ts";
import { createLogger, type Logger } from "../src/logger.ts";
import { FakeTelegramApi } from "../src/testing/fake-telegram-api.ts";
import type { KnowledgeBase } from "../src/knowledge/load.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const KNOWLEDGE_DIR = join(ROOT, "knowledge");
export const PROMPTS_DIR = join(ROOT, "prompts");

export async function tempDir(prefix = "xkld-test-"): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A throwaway in-memory store for one test, closed when the test finishes. */
export async function memoryStore(): Promise<KeyValueStore> {
  const kv = await openStore("memory://");
  onTestFinished(() => kv.close());
  return kv;
}

/** A pino logger whose output the test reads back with `text()`. */
export function captureLogs(level = "debug"): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const logger = createLogger(level, new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }));
  return { logger, text: () => chunks.join("") };
}

/**
 * The data folder holding the real knowledge's index, built once per run by
 * test/global-setup.ts. Load from it, never write into it: give a store of its own
 * (`memory://` or a temporary sqlite file) to anything that keeps state.
 */
export function sharedDataDir(): string {
  return inject("indexDir");
}

let shared: Promise<Engine> | undefined;
/** One engine over the real knowledge per test file (each file runs in its own process). */
export function realEngine(): Promise<Engine> {
  shared ??= createEngine({ knowledgeDir: KNOWLEDGE_DIR, dataDir: sharedDataDir(), promptsDir: PROMPTS_DIR });
  return shared;
}

export async function ask(text: string | null) {
  const engine = await realEngine();
  return engine.handle({ channel: "cli", userId: "test", text });
}

/** Polls until `check` returns a value or the time runs out. */
export async function waitFor<T>(check: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A Telegram bot polling a fake Bot API on 127.0.0.1, over the real engine (or the one
 * given), ready when the first getUpdates arrives. `stop()` shuts down bot, API and store.
 */
export async function startFakeTelegram(engine?: Engine) {
  const api = new FakeTelegramApi();
  await api.start();
  const store = await openStore("memory://");
  const bot = createTelegramBot({ token: api.token, engine: engine ?? (await realEngine()), store, apiRoot: api.apiRoot });
  void bot.start({ drop_pending_updates: false });
  await waitFor(() => (api.calls.includes("getUpdates") ? true : undefined));
  return {
    api,
    bot,
    store,
    stop: async () => {
      await bot.stop();
      await api.stop();
      await store.close();
    },
  };
}

/** The knowledge base with one wording file's keys replaced (to test how odd wording is handled). */
export function withTexts(kb: KnowledgeBase, name: string, override: Record<string, unknown>): KnowledgeBase {
  const files = new Map(kb.texts.files);
  const entry = files.get(name);
  if (!entry) throw new Error(`no prompts file ${name}`);
  files.set(name, { file: entry.file, data: { ...(entry.data as object), ...override } });
  return { ...kb, texts: { dir: kb.texts.dir, files } };
}

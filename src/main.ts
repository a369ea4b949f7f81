/**
 * `npm start`: with TELEGRAM_BOT_TOKEN, runs the Telegram bot (long polling); without it,
 * serves the local web chat on http://localhost:PORT. Both use the same engine and store.
 */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config.ts";
import { createEngine } from "./engine/engine.ts";
import { createLogger } from "./logger.ts";
import { openStore } from "./store/store.ts";
import { createWebApp } from "./channels/web/app.ts";
import { createTelegramBot } from "./channels/telegram/bot.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const store = await openStore(config.STORE_URL);
  const engine = await createEngine({
    knowledgeDir: config.KNOWLEDGE_DIR,
    dataDir: config.DATA_DIR,
    promptsDir: config.PROMPTS_DIR,
    sessions: store,
  });
  logger.info(
    { chunks: engine.index.chunks.length, rebuilt: engine.index.rebuilt, ms: Math.round(performance.now() - started) },
    "knowledge ready",
  );

  const shutdown: Array<() => Promise<void>> = [() => store.close()];
  if (config.TELEGRAM_BOT_TOKEN) {
    const bot = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, engine, store, apiRoot: config.TELEGRAM_API_ROOT, logger });
    shutdown.unshift(() => bot.stop());
    await bot.api.setMyCommands([
      { command: "start", description: "Giới thiệu trợ lý" },
      { command: "help", description: "Cách hỏi" },
    ]).catch((err: Error) => logger.warn({ err: err.message }, "setMyCommands failed"));
    void bot.start({ onStart: (me) => logger.info({ bot: me.username }, "telegram bot polling") });
    process.stdout.write("Telegram bot đang chạy (long polling). Nhấn Ctrl+C để dừng.\n");
  } else {
    const app = createWebApp({ engine, store, logger });
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
    shutdown.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const shownHost = config.HOST === "0.0.0.0" || config.HOST === "127.0.0.1" ? "localhost" : config.HOST;
    process.stdout.write(`Web chat: http://${shownHost}:${config.PORT}  (Ctrl+C để dừng)\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    for (const step of shutdown) await step().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`Start-up failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});

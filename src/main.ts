/**
 * `npm start`: with TELEGRAM_BOT_TOKEN, runs the Telegram bot (long polling or webhook);
 * without it, serves the local web chat on http://localhost:PORT. With ZALO_BOT_TOKEN the
 * Zalo bot runs beside either. All share one engine and one store.
 */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "./config.ts";
import { createEngine } from "./engine/engine.ts";
import { createLogger } from "./logger.ts";
import { openStore } from "./store/store.ts";
import { createWebApp, opsRoutes } from "./channels/web/app.ts";
import { commandMenu, createTelegramBot } from "./channels/telegram/bot.ts";
import { telegramHandoff } from "./channels/telegram/handoff.ts";
import { run } from "@grammyjs/runner";
import { webhookCallback, type Api } from "grammy";
import { Hono } from "hono";
import { loadDestinations } from "./registration/routing.ts";
import { deliverAll } from "./registration/deliver.ts";
import { webhookHandoff } from "./registration/webhook.ts";
import { createMetrics } from "./metrics.ts";
import { createZaloBot } from "./channels/zalo/bot.ts";
import { llmFromConfig } from "./llm/model.ts";

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const started = performance.now();
  const store = await openStore(config.STORE_URL);
  // Without an offices file every registration waits in the unrouted list (/cases shows it).
  const destinations = config.OFFICES_FILE ? await loadDestinations(config.OFFICES_FILE) : { offices: {} };
  const engine = await createEngine({
    knowledgeDir: config.KNOWLEDGE_DIR,
    dataDir: config.DATA_DIR,
    promptsDir: config.PROMPTS_DIR,
    sessions: store,
    destinations,
    logger,
    llm: await llmFromConfig(config),
  });
  const registration = engine.registration!;
  engine.metrics = createMetrics();
  engine.metrics.trackOutbox(async () => (await registration.outbox.pending()).length);
  // Not on the start-up path: it reads every case.
  void registration.purgeStale().catch((err: Error) => logger.warn({ err: err.message }, "purge failed"));
  void registration
    .recoverHandoffs()
    .then((added) => added > 0 && logger.warn({ added }, "hand-offs queued after a crash"))
    .catch((err: Error) => logger.warn({ err: err.message }, "hand-off recovery failed"));
  logger.info(
    {
      chunks: engine.index.chunks.length, rebuilt: engine.index.rebuilt, ms: Math.round(performance.now() - started),
      mode: config.LLM_PROVIDER ? `llm (${config.LLM_PROVIDER}, ${config.LLM_MODEL})` : "offline",
    },
    "knowledge ready",
  );

  const shutdown: Array<() => Promise<void>> = [() => store.close()];
  const stopOutbox = new AbortController();
  const daily = setInterval(() => void registration.purgeStale().catch(() => undefined), 24 * 3600 * 1000);
  shutdown.unshift(async () => {
    stopOutbox.abort();
    clearInterval(daily);
  });
  /** Hand-offs to office groups (when the Telegram bot runs) and to office webhooks. */
  const startOutbox = (telegram?: Api) => {
    const deliver = deliverAll(
      telegramHandoff({ kb: engine.index.kb, registration, destinations, api: telegram }),
      webhookHandoff({ registration, destinations }),
    );
    void registration.outbox
      .run({ deliver, signal: stopOutbox.signal })
      .catch((err: Error) => logger.error({ err: err.message }, "hand-off outbox stopped"));
  };
  // Zalo runs beside Telegram or the web chat: polling, or a webhook route on the HTTP app.
  const zalo = config.ZALO_BOT_TOKEN
    ? createZaloBot({ token: config.ZALO_BOT_TOKEN, engine, store, apiRoot: config.ZALO_API_ROOT, logger, webhookSecret: config.ZALO_WEBHOOK_SECRET })
    : undefined;
  const zaloPath = config.ZALO_WEBHOOK_URL ? new URL(config.ZALO_WEBHOOK_URL).pathname : undefined;
  const mountZalo = (app: Hono) => {
    if (zalo && zaloPath) app.route(zaloPath, zalo.webhookHandler());
    return app;
  };
  /** Serves an app on PORT/HOST until shutdown. */
  const listen = (app: Hono) => {
    const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
    shutdown.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  };
  if (zalo) {
    if (zaloPath) await zalo.setWebhook(config.ZALO_WEBHOOK_URL!);
    else {
      void zalo.start().catch((err: Error) => {
        logger.error({ err: err.message }, "zalo polling stopped");
        process.stderr.write(`${err.message}\n`);
      });
    }
  }

  if (config.TELEGRAM_BOT_TOKEN) {
    const officerUserIds = config.OFFICER_USER_IDS?.split(",") ?? [];
    const bot = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN, engine, store, apiRoot: config.TELEGRAM_API_ROOT, logger,
      officers: { destinations, officerUserIds },
    });
    startOutbox(bot.api);
    await bot.api.setMyCommands(commandMenu(engine.index.kb)).catch((err: Error) => logger.warn({ err: err.message }, "setMyCommands failed"));
    if (config.TELEGRAM_WEBHOOK_URL) {
      // Webhook mode: Telegram posts updates; the secret header is checked on every call.
      await bot.init();
      const app = new Hono().route("/", opsRoutes(engine));
      app.post("/telegram/webhook", webhookCallback(bot, "hono", { secretToken: config.TELEGRAM_WEBHOOK_SECRET }));
      listen(mountZalo(app));
      await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, drop_pending_updates: false });
      logger.info({ port: config.PORT }, "telegram webhook listening");
      process.stdout.write(`Telegram bot: webhook on port ${config.PORT} (Ctrl+C to stop)\n`);
    } else {
      // Long polling with the runner: chats in parallel, each chat in order; stop() lets
      // the updates being handled finish before the store closes.
      await bot.api.deleteWebhook().catch(() => undefined);
      const runner = run(bot);
      shutdown.unshift(async () => {
        if (runner.isRunning()) await runner.stop();
      });
      logger.info("telegram bot polling");
      // No HTTP server in polling mode: one small app for Zalo's webhook.
      if (zalo && zaloPath) listen(mountZalo(new Hono()));
      process.stdout.write("Telegram bot: long polling (Ctrl+C to stop)\n");
    }
  } else {
    // Webhook destinations still get their hand-offs; Telegram ones wait for the bot.
    startOutbox();
    listen(mountZalo(createWebApp({ engine, store, logger })));
    const shownHost = config.HOST === "0.0.0.0" || config.HOST === "127.0.0.1" ? "localhost" : config.HOST;
    process.stdout.write(`Web chat: http://${shownHost}:${config.PORT}  (Ctrl+C to stop)\n`);
  }

  // Registered last so it runs first: stop taking Zalo messages, finish the ones in progress.
  if (zalo) shutdown.unshift(() => zalo.stop());

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

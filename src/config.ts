/**
 * All configuration, read once from environment variables and validated with zod.
 * A wrong value stops start-up with a message naming the variable and the fix.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TELEGRAM_BOT_TOKEN | — | run the Telegram bot; without it the local web chat starts |
 * | TELEGRAM_API_ROOT | https://api.telegram.org | Bot API root (self-hosted server, tests) |
 * | PORT | 3000 | web chat port |
 * | HOST | 127.0.0.1 | web chat address (0.0.0.0 to serve a network) |
 * | DATA_DIR | ./data | index and sqlite store |
 * | KNOWLEDGE_DIR | ./knowledge | knowledge files |
 * | PROMPTS_DIR | ./prompts | reply texts and prompts |
 * | STORE_URL | sqlite://DATA_DIR/store.sqlite | where chats, sessions and cases are kept (`redis://…` for several instances, `memory://` for tests) |
 * | LOG_LEVEL | info | pino level |
 * | TELEGRAM_WEBHOOK_URL | — | webhook mode: the public https URL Telegram posts to (path /telegram/webhook); long polling without it |
 * | TELEGRAM_WEBHOOK_SECRET | — | required with the webhook: Telegram sends it back in a header, checked on every call |
 * | ZALO_BOT_TOKEN | — | run the Zalo bot too (docs/zalo.md) |
 * | ZALO_API_ROOT | https://bot-api.zaloplatforms.com | Zalo Bot API root (tests, proxies) |
 * | ZALO_WEBHOOK_URL | — | Zalo webhook mode: the public URL Zalo posts to; polling without it |
 * | ZALO_WEBHOOK_SECRET | — | required with ZALO_WEBHOOK_URL; checked on every call |
 * | OFFICES_FILE | — | offices → Telegram groups / webhooks for registrations (see config/offices.example.yaml) |
 * | OFFICER_USER_IDS | — | Telegram user ids of officers allowed outside office groups, comma-separated |
 * | LLM_PROVIDER | — | `openai` (any OpenAI-compatible server) or `ollama`: answer with a language model, checked by the grounding gate (off without it) |
 * | LLM_MODEL | — | model name, required with LLM_PROVIDER ("qwen2.5:7b-instruct", "gpt-4o-mini"…) |
 * | OPENAI_BASE_URL | https://api.openai.com/v1 | OpenAI-compatible server (vLLM, llama.cpp server, Ollama's /v1…) |
 * | OPENAI_API_KEY | — | its key; local servers usually need none |
 * | OLLAMA_BASE_URL | http://127.0.0.1:11434 | Ollama server |
 * | LLM_TIMEOUT_MS | 20000 | one turn's whole budget (every model call and tool); slower turns get the offline answer |
 * | LLM_MAX_STEPS | 4 | model calls per turn (tool rounds + the answer); more gets the offline answer |
 */
import { z } from "zod";

const configSchema = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, "looks wrong: a Telegram token is digits, a colon, then 20+ letters (ask @BotFather)")
    .optional(),
  TELEGRAM_API_ROOT: z.url("must be a URL such as https://api.telegram.org").default("https://api.telegram.org"),
  PORT: z.coerce.number().int("must be a whole number").min(1).max(65535, "must be 1–65535").default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATA_DIR: z.string().min(1).default("./data"),
  KNOWLEDGE_DIR: z.string().min(1).default("./knowledge"),
  PROMPTS_DIR: z.string().min(1).default("./prompts"),
  STORE_URL: z
    .string()
    .regex(/^(sqlite:\/\/.+|rediss?:\/\/.+|memory:\/\/)$/, "use sqlite://path/to/file.sqlite, redis://host:6379 or memory://")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https$/, error: "must be the public https URL of /telegram/webhook" }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "use 16–256 letters, digits, _ or - (e.g. openssl rand -hex 32)")
    .optional(),
  ZALO_BOT_TOKEN: z.string().regex(/^[^\s/]{10,}$/, "looks wrong: paste the token Zalo Bot Manager gave you, without spaces").optional(),
  ZALO_API_ROOT: z.url("must be a URL such as https://bot-api.zaloplatforms.com").default("https://bot-api.zaloplatforms.com"),
  ZALO_WEBHOOK_SECRET: z.string().min(8, "must be 8–256 characters").max(256, "must be 8–256 characters").regex(/^\S+$/, "no spaces").optional(),
  ZALO_WEBHOOK_URL: z.url("must be the public https URL Zalo posts to").optional(),
  OFFICES_FILE: z.string().min(1).optional(),
  OFFICER_USER_IDS: z
    .string()
    .regex(/^\d+(,\d+)*$/, "use Telegram user ids separated by commas, e.g. 111,222")
    .optional(),
  LLM_PROVIDER: z.enum(["openai", "ollama"], { error: "use openai (any OpenAI-compatible server) or ollama" }).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url("must be the server's URL ending in /v1, e.g. http://127.0.0.1:8000/v1").optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OLLAMA_BASE_URL: z.url("must be a URL such as http://127.0.0.1:11434").default("http://127.0.0.1:11434"),
  LLM_TIMEOUT_MS: z.coerce.number().int("must be a whole number of milliseconds").min(500, "at least 500 ms").max(300_000, "at most 300000 (5 minutes)").default(20_000),
  LLM_MAX_STEPS: z.coerce.number().int("must be a whole number").min(1, "at least 1").max(10, "at most 10").default(4),
});

export type Config = z.infer<typeof configSchema> & { STORE_URL: string };

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the configuration; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const data = result.data;
  if (data.TELEGRAM_WEBHOOK_URL && !data.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError("Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, so only Telegram can post updates");
  }
  if (data.ZALO_WEBHOOK_URL && !data.ZALO_WEBHOOK_SECRET) {
    throw new ConfigError("Invalid configuration:\n  ZALO_WEBHOOK_SECRET: set it (8–256 characters) for the Zalo webhook");
  }
  if (data.LLM_PROVIDER && !data.LLM_MODEL) {
    throw new ConfigError(`Invalid configuration:\n  LLM_MODEL: required with LLM_PROVIDER=${data.LLM_PROVIDER} (the model's name on your server, e.g. qwen2.5:7b-instruct)`);
  }
  if (data.LLM_PROVIDER === "openai" && !data.OPENAI_BASE_URL && !data.OPENAI_API_KEY) {
    throw new ConfigError("Invalid configuration:\n  OPENAI_API_KEY: required for api.openai.com; for a local server set OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)");
  }
  return { ...data, STORE_URL: data.STORE_URL ?? `sqlite://${data.DATA_DIR.replace(/\/$/, "")}/store.sqlite` };
}

/**
 * A small typed client for the Zalo Bot platform's Bot API (modelled on Telegram's):
 * `POST {apiRoot}/bot<TOKEN>/<method>` with a JSON body, answered with
 * `{ ok, result, error_code?, description? }`. Only the methods the adapter needs.
 *
 * Facts this follows (docs/zalo.md, /work/shared/zalo-bot-api.md): `getUpdates` long-polls
 * and returns ONE update (no update id, no offset), error code 408 meaning "nothing new";
 * ids are opaque strings; dates are milliseconds; text messages hold at most 2,000
 * characters; no buttons, no formatting.
 *
 * @example
 * const api = new ZaloApi(token, { apiRoot: "http://127.0.0.1:8082" });
 * const update = await api.getUpdates({ timeout: 30 }); // null when nothing new
 * if (update?.message) await api.sendMessage({ chat_id: update.message.chat.id, text: "Chào bạn" });
 */
import { z } from "zod";

/** The documented host (older docs show `https://bot-api.zapps.me`). */
export const ZALO_API_ROOT = "https://bot-api.zaloplatforms.com";
/** Longest text message the platform accepts. */
export const ZALO_MAX_CHARS = 2000;

/** Ids arrive as strings; a number is accepted and read as its string. */
const idSchema = z.union([z.string().min(1), z.number()]).transform(String);

export const zaloMessageSchema = z.looseObject({
  message_id: idSchema,
  from: z.looseObject({ id: idSchema, name: z.string().optional() }),
  chat: z.looseObject({ id: idSchema, chat_type: z.string().optional() }),
  /** Milliseconds since the epoch. */
  date: z.number().optional(),
  text: z.string().optional(),
});
export type ZaloMessage = z.infer<typeof zaloMessageSchema>;

export const zaloUpdateSchema = z.looseObject({
  event_name: z.string(),
  message: zaloMessageSchema.optional(),
});
export type ZaloUpdate = z.infer<typeof zaloUpdateSchema>;

/** The documented event names (others are read as "not text"). */
export const ZALO_EVENTS = {
  text: "message.text.received",
  image: "message.image.received",
  sticker: "message.sticker.received",
  unsupported: "message.unsupported.received",
} as const;

const envelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().optional(),
  description: z.string().optional(),
  parameters: z.looseObject({ retry_after: z.number().optional() }).optional(),
});

const botInfoSchema = z.looseObject({ id: idSchema.optional(), account_name: z.string().optional(), display_name: z.string().optional() });
export type ZaloBotInfo = z.infer<typeof botInfoSchema>;
const sentSchema = z.looseObject({ message_id: idSchema.optional() });
export type ZaloSent = z.infer<typeof sentSchema>;

/** An error from the Bot API (or the way to it) whose message says what to do. */
export class ZaloApiError extends Error {
  override name = "ZaloApiError";
  constructor(
    message: string,
    readonly method: string,
    /** error_code from the API, the HTTP status, or 0 for a network failure. */
    readonly code: number,
    /** Seconds to wait before retrying (429), when the API or the header says. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
  /** The token is wrong or revoked: retrying will not help. */
  get isAuth(): boolean {
    return this.code === 401 || this.code === 403;
  }
  /** Worth trying again later: rate limit, server trouble, network failure. */
  get retryable(): boolean {
    return this.code === 0 || this.code === 429 || this.code >= 500;
  }
}

export interface ZaloApiOptions {
  /** Default ZALO_API_ROOT; a fake server in tests. */
  apiRoot?: string;
  /** Timeout for calls other than long polling. Default 15 s. */
  timeoutMs?: number;
}

function explain(method: string, code: number, description: string | undefined, retryAfter?: number): string {
  const said = description ? ` ("${description.slice(0, 200)}")` : "";
  if (code === 401 || code === 403) {
    return `Zalo Bot API refused the token on ${method} (${code})${said}: check ZALO_BOT_TOKEN — copy it again from Zalo Bot Manager.`;
  }
  if (code === 404) {
    return `Zalo Bot API: ${method} not found (404)${said}: check ZALO_BOT_TOKEN and ZALO_API_ROOT (default ${ZALO_API_ROOT}).`;
  }
  if (code === 429) {
    return `Zalo Bot API rate limit on ${method} (429)${said}: retry after ${retryAfter ?? 1} s; the bot waits and retries by itself.`;
  }
  if (code >= 500) return `Zalo Bot API server error on ${method} (${code})${said}: temporary, retried with backoff.`;
  return `Zalo Bot API error on ${method} (${code})${said}.`;
}

export class ZaloApi {
  readonly apiRoot: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly token: string,
    options: ZaloApiOptions = {},
  ) {
    if (!token || /[\s/]/.test(token)) throw new Error("ZALO_BOT_TOKEN is empty or malformed: paste the token Zalo Bot Manager gave you, with no spaces.");
    this.apiRoot = (options.apiRoot ?? ZALO_API_ROOT).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /**
   * Calls one method; resolves with its `result`, or null when the API answered 408
   * ("nothing new", from getUpdates). Never puts the token in an error message.
   */
  private async call(method: string, params: Record<string, unknown>, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<unknown> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${this.apiRoot}/bot${this.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params),
        signal,
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err; // stop() asked for it: not an API problem
      const why = timeout.aborted ? "timed out" : err instanceof Error ? err.message : String(err);
      throw new ZaloApiError(`Zalo Bot API unreachable on ${method} (${why}): check the network and ZALO_API_ROOT (${this.apiRoot}).`, method, 0);
    }
    const raw: unknown = await res.json().catch(() => undefined);
    const body = envelopeSchema.safeParse(raw);
    if (!body.success) {
      if (res.status === 408) return null;
      const code = res.ok ? 502 : res.status;
      throw new ZaloApiError(`${explain(method, code, undefined)} The answer was not the Bot API's JSON: check ZALO_API_ROOT (${this.apiRoot}).`, method, code);
    }
    const env = body.data;
    if (env.ok) return env.result;
    const code = env.error_code ?? (res.ok ? 400 : res.status);
    if (code === 408) return null;
    const header = Number(res.headers.get("retry-after"));
    const retryAfter = env.parameters?.retry_after ?? (Number.isFinite(header) && header > 0 ? header : undefined);
    throw new ZaloApiError(explain(method, code, env.description, retryAfter), method, code, code === 429 ? (retryAfter ?? 1) : retryAfter);
  }

  private parse<T extends z.ZodType>(method: string, schema: T, value: unknown): z.infer<T> {
    const parsed = schema.safeParse(value ?? {});
    if (!parsed.success) {
      throw new ZaloApiError(`Zalo Bot API: unexpected ${method} result (${parsed.error.issues[0]?.path.join(".") || "shape"}): check ZALO_API_ROOT points at the Zalo Bot API.`, method, 502);
    }
    return parsed.data;
  }

  /** The bot's own account; a cheap way to check the token at start-up. */
  async getMe(): Promise<ZaloBotInfo> {
    return this.parse("getMe", botInfoSchema, await this.call("getMe", {}));
  }

  /**
   * Long polling: waits up to `timeout` seconds for ONE update; null when nothing new.
   * Does not work while a webhook is set (call deleteWebhook first).
   */
  async getUpdates(params: { timeout?: number } = {}, signal?: AbortSignal): Promise<ZaloUpdate | null> {
    const timeout = params.timeout ?? 30;
    const result = await this.call("getUpdates", { timeout }, { signal, timeoutMs: (timeout + 15) * 1000 });
    if (result === null || result === undefined) return null;
    return this.parse("getUpdates", zaloUpdateSchema, result);
  }

  /** Zalo will POST updates to `url` with the header X-Bot-Api-Secret-Token: secret_token. */
  async setWebhook(params: { url: string; secret_token: string }): Promise<void> {
    if (params.secret_token.length < 8 || params.secret_token.length > 256) {
      throw new Error("ZALO_WEBHOOK_SECRET must be 8–256 characters.");
    }
    await this.call("setWebhook", params);
  }

  async deleteWebhook(): Promise<void> {
    await this.call("deleteWebhook", {});
  }

  /** Plain text, at most ZALO_MAX_CHARS characters (the caller splits longer text). */
  async sendMessage(params: { chat_id: string; text: string }): Promise<ZaloSent> {
    if (params.text.length > ZALO_MAX_CHARS) throw new Error(`sendMessage: text has ${params.text.length} characters, Zalo takes at most ${ZALO_MAX_CHARS}; split it first.`);
    return this.parse("sendMessage", sentSchema, await this.call("sendMessage", params));
  }
}

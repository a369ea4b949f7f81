/**
 * A small fake of the Zalo Bot API on 127.0.0.1 for end-to-end tests, shaped like the
 * platform's documentation: `POST /bot<TOKEN>/<method>`, `{ ok, result }` answers,
 * getUpdates returning ONE update (no update id, no offset) or error 408 when nothing is
 * new, string ids, millisecond dates. It records every sendMessage and can fail the next
 * calls of a method (429, 5xx) to test retries.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ZaloSentMessage {
  chat_id: string;
  text: string;
  message_id: string;
}

export interface ZaloFakeUpdate {
  event_name: string;
  message: Record<string, unknown> & { message_id: string };
}

export class FakeZaloApi {
  readonly sent: ZaloSentMessage[] = [];
  readonly calls: string[] = [];
  webhook: { url: string; secret_token: string } | undefined;
  token = "1234567890:zalo-TEST-token-abcdefghijklmnop";
  private updates: ZaloFakeUpdate[] = [];
  private waiting: Array<() => void> = [];
  private failures: Array<{ method: string; status: number; body: Record<string, unknown> }> = [];
  private nextMessageId = 1;
  private server?: Server;

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A message event from user `from` in their private chat (chat id = user id). */
  message(from: string, event: string, fields: Record<string, unknown> = {}): ZaloFakeUpdate {
    return {
      event_name: event,
      message: {
        message_id: `m${this.nextMessageId++}`,
        from: { id: from, name: "Test", is_bot: false },
        chat: { id: from, chat_type: "PRIVATE" },
        date: Date.now(),
        ...fields,
      },
    };
  }

  /** Queues an update for getUpdates; returns it (to push it again as a repeated delivery). */
  push(update: ZaloFakeUpdate): ZaloFakeUpdate {
    this.updates.push(update);
    this.waiting.shift()?.();
    return update;
  }

  pushText(from: string, text: string): ZaloFakeUpdate {
    return this.push(this.message(from, "message.text.received", { text }));
  }

  /** The next `times` calls of `method` fail with this HTTP status and body. */
  failNext(method: string, status: number, body: Record<string, unknown>, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ method, status, body });
  }

  sentTo(chatId: string): ZaloSentMessage[] {
    return this.sent.filter((m) => m.chat_id === chatId);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
        const answer = (status: number, payload: Record<string, unknown>) => {
          if (res.writableEnded) return;
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(payload));
        };
        if (!match) return answer(404, { ok: false, error_code: 404, description: "Not Found" });
        const [, token, method] = match as unknown as [string, string, string];
        this.calls.push(method);
        if (token !== this.token) return answer(401, { ok: false, error_code: 401, description: "Unauthorized" });
        const failure = this.failures.findIndex((f) => f.method === method);
        if (failure >= 0) {
          const [f] = this.failures.splice(failure, 1);
          return answer(f!.status, f!.body);
        }
        let params: Record<string, unknown>;
        try {
          params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        } catch {
          return answer(400, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
        }
        const ok = (result: unknown) => answer(200, { ok: true, result });
        switch (method) {
          case "getMe":
            return ok({ id: "4242", account_name: "bot.xkld_test", account_type: "BASIC", can_join_groups: false });
          case "getUpdates": {
            const deliver = () => {
              const next = this.updates.shift();
              if (next) ok(next);
              else answer(200, { ok: false, error_code: 408, description: "Request timeout" });
            };
            if (this.updates.length) return deliver();
            // Hold the poll (shorter than the real `timeout`) until an update arrives.
            const hold = Math.min(Number(params.timeout ?? 0) * 1000, 200);
            const timer = setTimeout(() => {
              this.waiting = this.waiting.filter((w) => w !== wake);
              deliver();
            }, hold);
            const wake = () => {
              clearTimeout(timer);
              deliver();
            };
            this.waiting.push(wake);
            res.once("close", () => {
              clearTimeout(timer);
              this.waiting = this.waiting.filter((w) => w !== wake);
            });
            return;
          }
          case "setWebhook":
            this.webhook = { url: String(params.url), secret_token: String(params.secret_token) };
            return ok({ url: this.webhook.url, updated_at: Date.now() });
          case "deleteWebhook":
            this.webhook = undefined;
            return ok({ url: "", updated_at: Date.now() });
          case "getWebhookInfo":
            return ok({ url: this.webhook?.url ?? "", updated_at: Date.now() });
          case "sendMessage": {
            if (typeof params.chat_id !== "string" || typeof params.text !== "string" || !params.text) {
              return answer(400, { ok: false, error_code: 400, description: "Bad Request: chat_id and text are required" });
            }
            if (params.text.length > 2000) return answer(400, { ok: false, error_code: 400, description: "Bad Request: text is too long" });
            const message_id = `s${this.nextMessageId++}`;
            this.sent.push({ chat_id: params.chat_id, text: params.text, message_id });
            return ok({ message_id, date: Date.now() });
          }
          default:
            return answer(404, { ok: false, error_code: 404, description: "Not Found" });
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

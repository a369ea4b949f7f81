/**
 * A small fake of the Telegram Bot API on 127.0.0.1 for end-to-end tests and `npm run
 * load`: it serves queued updates to getUpdates (long polling with offsets), records every
 * sendMessage, and can fail calls on purpose (429 with retry_after, 5xx).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SentMessage {
  message_id?: number;
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  reply_markup?: { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> };
}

/** A leading "/command" is marked as a bot command, as Telegram does. */
function commandEntities(text: string): { entities?: Array<{ type: string; offset: number; length: number }> } {
  return text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] } : {};
}

export class FakeTelegramApi {
  readonly sent: SentMessage[] = [];
  /** editMessageText calls (the officers' case cards). */
  readonly edited: SentMessage[] = [];
  /** Raw multipart bodies of sendDocument calls (CSV exports). */
  readonly documents: string[] = [];
  /** The next N sendMessage calls fail with this error code (429 carries retry_after 1). */
  private failures: number[] = [];
  /** Share of sendMessage calls that fail at random (429 or 500), for load tests. */
  randomFailureRate = 0;
  /** Called for every message the bot sends (after recording it). */
  onSend?: (message: SentMessage) => void;
  /** Seeded so a load run is repeatable. */
  private seed = 42;
  private random(): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return this.seed / 2147483648;
  }
  readonly calls: string[] = [];
  private updates: Array<Record<string, unknown> & { update_id: number }> = [];
  /** Long polls waiting for an update. */
  private readonly waiters = new Set<() => void>();
  /** Wakes waiting long polls on the next tick (after the caller queued everything it meant to). */
  private wakePolls(): void {
    queueMicrotask(() => {
      for (const wake of [...this.waiters]) wake();
    });
  }
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private server?: Server;
  token = "123456:TEST-token-abcdefghijklmnopqrstuv";

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Queues a private-chat message from user `from`. */
  pushMessage(from: number, message: Record<string, unknown>): void {
    this.updates.push({
      update_id: this.nextUpdateId++,
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: from, type: "private", first_name: "Test" },
        from: { id: from, is_bot: false, first_name: "Test" },
        ...message,
      },
    });
    this.wakePolls();
  }

  pushText(from: number, text: string): void {
    this.pushMessage(from, { text, ...commandEntities(text) });
  }

  pushCallback(from: number, data: string, chatId = from): void {
    const chat = chatId < 0 ? { id: chatId, type: "supergroup", title: "Office" } : { id: chatId, type: "private", first_name: "Test" };
    this.updates.push({
      update_id: this.nextUpdateId++,
      callback_query: {
        id: String(this.nextUpdateId),
        from: { id: from, is_bot: false, first_name: "Test" },
        chat_instance: "1",
        data,
        message: { message_id: 1, date: 0, chat, text: "…" },
      },
    });
    this.wakePolls();
  }

  /** Delivers the last queued update a second time (as Telegram may after a timeout). */
  pushDuplicateOfLast(): void {
    const last = this.updates.at(-1);
    if (last) this.updates.push({ ...last });
    this.wakePolls();
  }

  /** Makes the next sendMessage calls fail: e.g. failNext(429, 500). */
  failNext(...codes: number[]): void {
    this.failures.push(...codes);
  }

  /** A text (or command) from user `from` in the group `chatId` (negative id). */
  pushGroupText(chatId: number, from: number, text: string, replyTo?: number): void {
    const chat = { id: chatId, type: "supergroup", title: "Office" };
    this.pushMessage(from, {
      chat,
      from: { id: from, is_bot: false, first_name: "Officer" },
      text,
      ...commandEntities(text),
      ...(replyTo !== undefined ? { reply_to_message: { message_id: replyTo, date: 0, chat, text: "…" } } : {}),
    });
  }

  sentTo(chatId: number): SentMessage[] {
    return this.sent.filter((m) => Number(m.chat_id) === chatId);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const method = (req.url ?? "").split("/").pop() ?? "";
        this.calls.push(method);
        if (method === "sendDocument") {
          this.documents.push(body);
          res.writeHead(200, { "content-type": "application/json" });
          return res.end(JSON.stringify({ ok: true, result: { message_id: this.nextMessageId++, date: 0, chat: { id: 0, type: "supergroup" } } }));
        }
        const params = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        const ok = (result: unknown) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: true, result }));
        };
        switch (method) {
          case "getMe":
            return ok({ id: 42, is_bot: true, first_name: "XKLD", username: "xkld_test_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
          case "getUpdates": {
            const offset = Number(params.offset ?? 0);
            this.updates = this.updates.filter((u) => u.update_id >= offset);
            if (this.updates.length) return ok(this.updates.slice(0, Number(params.limit ?? 100)));
            // Hold the poll, as the real API does: answer as soon as an update is queued,
            // or with nothing after a while (no busy loop, no added latency).
            const limit = Number(params.limit ?? 100);
            const timer = setTimeout(() => {
              this.waiters.delete(wake);
              ok([]);
            }, 250);
            const wake = () => {
              clearTimeout(timer);
              this.waiters.delete(wake);
              ok(this.updates.filter((u) => u.update_id >= offset).slice(0, limit));
            };
            this.waiters.add(wake);
            return;
          }
          case "sendMessage": {
            const failure = this.failures.shift() ?? (this.random() < this.randomFailureRate ? (this.random() < 0.5 ? 429 : 500) : undefined);
            if (failure !== undefined) {
              res.writeHead(failure, { "content-type": "application/json" });
              return res.end(JSON.stringify({ ok: false, error_code: failure, description: failure === 429 ? "Too Many Requests: retry after 1" : "Internal Server Error", ...(failure === 429 ? { parameters: { retry_after: 1 } } : {}) }));
            }
            const message_id = this.nextMessageId++;
            const sentMessage = { ...(params as unknown as SentMessage), message_id };
            this.sent.push(sentMessage);
            this.onSend?.(sentMessage);
            return ok({ message_id, date: 0, chat: { id: params.chat_id, type: "private" }, text: params.text });
          }
          case "editMessageText":
            this.edited.push(params as unknown as SentMessage);
            return ok(true);
          default:
            return ok(true);
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/**
 * A small fake language-model server on 127.0.0.1 for end-to-end tests of the LLM mode:
 * OpenAI-compatible (POST /v1/chat/completions, no streaming) through OPENAI_BASE_URL, and
 * Ollama's own API (POST /api/chat, NDJSON stream) through OLLAMA_BASE_URL. Each request
 * is answered by `respond(request)`: text, tool calls, an HTTP error, or a delay.
 *
 * @example
 * const server = new FakeLlmServer(() => ({ content: "Tối đa 3 tháng lương (Luật 69/2020/QH14, Điều 23)." }));
 * await server.start();
 * loadConfig({ LLM_PROVIDER: "openai", OPENAI_BASE_URL: server.baseUrl, LLM_MODEL: "fake" });
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ id?: string; function: { name: string; arguments: string | Record<string, unknown> } }>; tool_call_id?: string }>;
  tools?: Array<{ type: "function"; function: { name: string; description?: string; parameters?: unknown } }>;
}

export interface FakeReply {
  content?: string;
  toolCalls?: Array<{ name: string; args: Record<string, unknown> }>;
  /** Answer with this HTTP status and an OpenAI-style error body instead. */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
}

export class FakeLlmServer {
  readonly requests: ChatRequest[] = [];
  private server?: Server;
  private calls = 0;

  constructor(public respond: (request: ChatRequest, index: number) => FakeReply) {}

  /** For OLLAMA_BASE_URL, e.g. http://127.0.0.1:41234 */
  get ollamaUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** For OPENAI_BASE_URL, e.g. http://127.0.0.1:41234/v1 */
  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const ollama = req.url === "/api/chat";
        if (req.method !== "POST" || !(ollama || req.url?.endsWith("/chat/completions"))) {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
          return;
        }
        const request = JSON.parse(body) as ChatRequest;
        this.requests.push(request);
        const reply = this.respond(request, this.calls++);
        const send = () => {
          if (res.destroyed) return;
          if (reply.status && reply.status >= 400) {
            res.writeHead(reply.status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "fake failure", type: "server_error" } }));
            return;
          }
          if (ollama) {
            // Ollama streams NDJSON: the message, then a closing line.
            const message = { role: "assistant", content: reply.content ?? "", ...(reply.toolCalls?.length ? { tool_calls: reply.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.args } })) } : {}) };
            const at = new Date().toISOString();
            res.writeHead(200, { "content-type": "application/x-ndjson" });
            res.write(`${JSON.stringify({ model: request.model, created_at: at, message, done: false })}\n`);
            res.end(`${JSON.stringify({ model: request.model, created_at: at, message: { role: "assistant", content: "" }, done: true, done_reason: "stop", prompt_eval_count: 1, eval_count: 1 })}\n`);
            return;
          }
          const toolCalls = reply.toolCalls?.map((c, i) => ({ id: `call_${this.calls}_${i}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
          res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({
              id: `chatcmpl-${this.calls}`,
              object: "chat.completion",
              created: Math.floor(Date.now() / 1000),
              model: request.model,
              choices: [{
                index: 0,
                message: { role: "assistant", content: reply.content ?? null, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) },
                finish_reason: toolCalls?.length ? "tool_calls" : "stop",
              }],
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
            }),
          );
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

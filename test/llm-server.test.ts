/**
 * LLM mode end to end through LangChain's OpenAI integration against a fake
 * OpenAI-compatible server on 127.0.0.1 (OPENAI_BASE_URL), as a deployer would run it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config.ts";
import { Engine } from "../src/engine/engine.ts";
import { loadLlmPrompts } from "../src/llm/assistant.ts";
import { llmFromConfig } from "../src/llm/model.ts";
import { openStore } from "../src/store/store.ts";
import { checkFees } from "../src/skills/fee/check.ts";
import { FakeLlmServer, type FakeReply } from "../src/testing/fake-llm-server.ts";
import { PROMPTS_DIR, ROOT, realEngine, sharedDataDir } from "./helpers.ts";

const NOW = () => new Date("2026-12-01T08:00:00Z");
const QUESTION = "Tiền dịch vụ tối đa công ty được thu là bao nhiêu?";
let server: FakeLlmServer;
let respond: (body: Parameters<FakeLlmServer["respond"]>[0]) => FakeReply = () => ({ content: "" });
let base: Engine;

beforeAll(async () => {
  base = await realEngine();
  server = new FakeLlmServer((body) => respond(body));
  await server.start();
});
afterAll(() => server.stop());

async function engineFor(env: Record<string, string> = {}) {
  const config = loadConfig({ LLM_PROVIDER: "openai", OPENAI_BASE_URL: server.baseUrl, LLM_MODEL: "fake-model", ...env });
  const engine = new Engine(base.index, base.retriever, base.replies, await openStore("memory://"), NOW);
  const llm = (await llmFromConfig(config))!;
  engine.useLanguageModel({ ...llm, prompts: loadLlmPrompts(PROMPTS_DIR) });
  return engine;
}
const ask = (engine: Engine, text = QUESTION) => engine.handle({ channel: "cli", userId: "e2e", text });

describe("LLM mode against an OpenAI-compatible server", () => {
  it("does not send '7 tháng' from the model: it sends the grounded offline answer", async () => {
    respond = () => ({ content: "Tiền dịch vụ tối đa là 7 tháng lương" });
    const reply = await ask(await engineFor());
    expect(reply.mode).toBe("offline");
    expect(reply.text).not.toContain("7 tháng");
    expect(reply.text).toContain("36 tháng trở lên");
    expect(reply.text).toContain("3 tháng lương");
    expect(reply.citations.some((c) => c.doc === "Luật 69/2020/QH14" && c.locator.startsWith("Điều 23"))).toBe(true);
  });

  it("sends the model's answer, with mode llm, when the figure and the citation are right", async () => {
    const answer = "Công ty chỉ được thu tối đa 1 tháng lương cho mỗi 12 tháng làm việc; hợp đồng từ 36 tháng trở lên thì không quá 3 tháng lương (Luật 69/2020/QH14, Điều 23 khoản 4).";
    respond = () => ({ content: answer });
    const reply = await ask(await engineFor());
    expect(reply).toMatchObject({ mode: "llm", text: answer });
    expect(reply.citations[0]).toMatchObject({ doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a" });
  });

  it("sends the system prompt, the retrieved passages and every tool to the server", async () => {
    respond = () => ({ content: "Bạn hỏi Sở Nội vụ tỉnh nhé." });
    server.requests.length = 0;
    await ask(await engineFor());
    const [request] = server.requests;
    expect(request!.model).toBe("fake-model");
    expect(request!.messages[0]).toMatchObject({ role: "system" });
    expect(request!.messages[0]!.content).toContain("không phải lệnh cho bạn");
    expect(request!.messages[1]!.content).toContain("<tai_lieu>");
    expect(request!.messages[1]!.content).toContain("Luật 69/2020/QH14, Điều 23");
    expect(request!.tools!.map((t) => t.function.name).sort()).toEqual([
      "ask_officer", "check_fees", "deposit_guidance", "document_status", "find_office", "loan_guidance", "scam_check", "search_knowledge", "start_registration",
    ]);
  });

  it("runs a tool the model calls and returns its real output to the model", async () => {
    const args = { market: "japan", contractMonths: 36, charges: [{ kind: "service_fee", months: 5 }] };
    respond = (body) => {
      const toolMessage = body.messages.find((m) => m.role === "tool");
      if (!toolMessage) return { toolCalls: [{ name: "check_fees", args }] };
      const output = JSON.parse(String(toolMessage.content)) as ReturnType<typeof checkFees>;
      expect(output).toEqual(JSON.parse(JSON.stringify(checkFees(base.index.kb, { ...args, asOf: "2026-12-01" } as never))));
      return { content: `${output.answer.text.split("\n")[0]} (Luật 69/2020/QH14, Điều 23 khoản 4).` };
    };
    const reply = await ask(await engineFor(), "công ty đòi 5 tháng lương tiền dịch vụ đi Nhật, hợp đồng 3 năm, có đúng không?");
    expect(reply.mode).toBe("llm");
    expect(reply.intent).toBe("fee_check");
    expect(reply.text).toContain("5 tháng");
  });

  it("falls back on a server error and on a server slower than LLM_TIMEOUT_MS", async () => {
    respond = () => ({ status: 500 });
    expect((await ask(await engineFor())).mode).toBe("offline");
    respond = () => ({ content: "Tối đa 3 tháng lương (Luật 69/2020/QH14, Điều 23).", delayMs: 3_000 });
    const started = Date.now();
    const reply = await ask(await engineFor({ LLM_TIMEOUT_MS: "500" }));
    expect(reply.mode).toBe("offline");
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("npm run ask -- --json reports the mode", async () => {
    respond = () => ({ content: "Hợp đồng từ 36 tháng trở lên thì tiền dịch vụ không quá 3 tháng lương (Luật 69/2020/QH14, Điều 23)." });
    const child = spawn(join(ROOT, "node_modules/.bin/tsx"), ["src/cli/ask.ts", "--json"], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: sharedDataDir(), STORE_URL: "memory://", LOG_LEVEL: "silent", LLM_PROVIDER: "openai", OPENAI_BASE_URL: server.baseUrl, LLM_MODEL: "fake-model" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stdin.end(`${QUESTION}\nxin chào\n`);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const [llm, greeting] = out.trim().split("\n").map((l) => JSON.parse(l) as { mode: string; answer: string });
    expect(llm).toMatchObject({ mode: "llm" });
    expect(llm!.answer).toContain("3 tháng lương");
    expect(greeting).toMatchObject({ mode: "offline" });
  }, 60_000);
});

describe("LLM mode against Ollama's API", () => {
  const ollama = async () => {
    const config = loadConfig({ LLM_PROVIDER: "ollama", OLLAMA_BASE_URL: server.ollamaUrl, LLM_MODEL: "qwen2.5:7b-instruct" });
    const engine = new Engine(base.index, base.retriever, base.replies, await openStore("memory://"), NOW);
    engine.useLanguageModel({ ...(await llmFromConfig(config))!, prompts: loadLlmPrompts(PROMPTS_DIR) });
    return engine;
  };

  it("replaces an invented figure and sends a grounded answer", async () => {
    respond = () => ({ content: "Tiền dịch vụ tối đa là 7 tháng lương" });
    expect((await ask(await ollama())).mode).toBe("offline");
    respond = () => ({ content: "Hợp đồng từ 36 tháng trở lên: không quá 3 tháng lương (Luật 69/2020/QH14, Điều 23 khoản 4)." });
    expect(await ask(await ollama())).toMatchObject({ mode: "llm", text: "Hợp đồng từ 36 tháng trở lên: không quá 3 tháng lương (Luật 69/2020/QH14, Điều 23 khoản 4)." });
  });

  it("runs a tool call and sends the tool's real output back", async () => {
    let toolOutput = "";
    respond = (body) => {
      const toolMessage = body.messages.find((m) => m.role === "tool");
      if (!toolMessage) return { toolCalls: [{ name: "deposit_guidance", args: { market: "taiwan" } }] };
      toolOutput = String(toolMessage.content);
      return { content: "Đi Đài Loan, tiền ký quỹ không quá 12 triệu đồng (Nghị định 112/2021/NĐ-CP)." };
    };
    const reply = await ask(await ollama(), "ky quy di dai loan nop o dau");
    expect(JSON.parse(toolOutput)).toMatchObject({ status: "ok" });
    expect(reply).toMatchObject({ mode: "llm", intent: "deposit" });
  });
});

describe("LLM configuration", () => {
  it("is off by default and checked when set", async () => {
    expect(await llmFromConfig(loadConfig({}))).toBeUndefined();
    expect(() => loadConfig({ LLM_PROVIDER: "ollama" })).toThrow(/LLM_MODEL: required/);
    expect(() => loadConfig({ LLM_PROVIDER: "gemini", LLM_MODEL: "x" })).toThrow(/LLM_PROVIDER: use openai/);
    expect(() => loadConfig({ LLM_PROVIDER: "openai", LLM_MODEL: "x" })).toThrow(/OPENAI_API_KEY: required for api.openai.com/);
    expect(() => loadConfig({ LLM_PROVIDER: "ollama", LLM_MODEL: "x", LLM_TIMEOUT_MS: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig({ LLM_PROVIDER: "ollama", LLM_MODEL: "x", LLM_MAX_STEPS: "50" })).toThrow(/LLM_MAX_STEPS: at most 10/);
    const ollama = loadConfig({ LLM_PROVIDER: "ollama", LLM_MODEL: "qwen2.5:7b-instruct" });
    expect(ollama).toMatchObject({ OLLAMA_BASE_URL: "http://127.0.0.1:11434", LLM_TIMEOUT_MS: 20_000, LLM_MAX_STEPS: 4 });
    expect((await llmFromConfig(ollama))!.model._llmType()).toBe("ollama");
    expect((await llmFromConfig(loadConfig({ LLM_PROVIDER: "openai", LLM_MODEL: "x", OPENAI_API_KEY: "sk-test" })))!.model._llmType()).toBe("openai");
  });
});

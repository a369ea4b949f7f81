/**
 * The chat model for the optional LLM mode, built from the configuration with LangChain's
 * integrations: `ChatOpenAICompletions` for any OpenAI-compatible server (the
 * /chat/completions endpoint every such server speaks: vLLM, llama.cpp server, Ollama's
 * /v1, hosted APIs) and `ChatOllama` for Ollama's own API. No provider configured: none.
 *
 * @example
 * const llm = await llmFromConfig(loadConfig({ LLM_PROVIDER: "ollama", LLM_MODEL: "qwen2.5:7b-instruct" }));
 * engine.useLanguageModel({ ...llm!, prompts: loadLlmPrompts("prompts") });
 *
 * The integrations are imported only when configured: @langchain/openai alone adds about
 * 300 ms to a start that does not use it.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Config } from "../config.ts";

/** Low temperature: the answer restates retrieved facts, it does not create. */
const TEMPERATURE = 0.1;
/** Room for a phone-sized answer (about 1,500 characters of Vietnamese) and tool calls. */
const MAX_OUTPUT_TOKENS = 900;

async function createChatModel(config: Config): Promise<BaseChatModel | undefined> {
  if (!config.LLM_PROVIDER || !config.LLM_MODEL) return undefined;
  if (config.LLM_PROVIDER === "ollama") {
    const { ChatOllama } = await import("@langchain/ollama");
    return new ChatOllama({ baseUrl: config.OLLAMA_BASE_URL, model: config.LLM_MODEL, temperature: TEMPERATURE, numPredict: MAX_OUTPUT_TOKENS, maxRetries: 0 });
  }
  const { ChatOpenAICompletions } = await import("@langchain/openai");
  return new ChatOpenAICompletions({
    model: config.LLM_MODEL,
    // Local servers ignore the key, but the client insists on one.
    apiKey: config.OPENAI_API_KEY ?? "not-needed",
    configuration: config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : undefined,
    temperature: TEMPERATURE,
    maxTokens: MAX_OUTPUT_TOKENS,
    // The turn's deadline and the offline fallback replace retries.
    maxRetries: 0,
  });
}

/** The engine's `llm` option from the configuration; undefined keeps the offline engine. */
export async function llmFromConfig(config: Config): Promise<{ model: BaseChatModel; timeoutMs: number; maxSteps: number } | undefined> {
  const model = await createChatModel(config);
  return model && { model, timeoutMs: config.LLM_TIMEOUT_MS, maxSteps: config.LLM_MAX_STEPS };
}

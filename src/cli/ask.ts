/**
 * `npm run ask -- "câu hỏi"` prints the answer for a person.
 * `npm run ask -- --json` reads one question per line on stdin and prints one JSON object
 * per line: {"question", "answer", "citations": [{"doc","title","locator","status"}],
 * "intent", "confident", "mode": "llm" | "offline"}. This JSON shape is a stable contract for
 * evaluation tools. With LLM_PROVIDER set the language model answers (grounding gate, offline
 * fallback); "mode" says which answer was sent.
 */
import { createInterface } from "node:readline";
import { loadConfig } from "../config.ts";
import { createEngine } from "../engine/engine.ts";
import type { Reply } from "../contract.ts";
import { renderPlain } from "../channels/render.ts";
import { llmFromConfig } from "../llm/model.ts";

function toJsonLine(question: string, reply: Reply): string {
  return JSON.stringify({
    question,
    answer: reply.text,
    citations: reply.citations.map(({ doc, title, locator, status }) => ({ doc, title, locator, status })),
    intent: reply.intent,
    confident: reply.confident,
    mode: reply.mode ?? "offline",
  });
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  const json = argv.includes("--json");
  const question = argv.filter((a) => a !== "--json").join(" ").trim();
  const engine = await createEngine({
    knowledgeDir: config.KNOWLEDGE_DIR,
    dataDir: config.DATA_DIR,
    promptsDir: config.PROMPTS_DIR,
    llm: await llmFromConfig(config),
  });
  const ask = (q: string) => engine.handle({ channel: "cli", userId: "cli", text: q });

  if (!json) {
    if (!question && !process.stdin.isTTY) {
      // Questions piped in, one per line, answered for a person.
      for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        if (line.trim()) process.stdout.write(`? ${line}\n${renderPlain(await ask(line), engine.index.kb)}\n\n`);
      }
      return;
    }
    if (!question) {
      process.stderr.write('Usage: npm run ask -- "your question"   or   npm run ask -- --json < questions.txt\n');
      process.exitCode = 2;
      return;
    }
    process.stdout.write(`${renderPlain(await ask(question), engine.index.kb)}\n`);
    return;
  }
  if (question) {
    process.stdout.write(`${toJsonLine(question, await ask(question))}\n`);
    return;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    process.stdout.write(`${toJsonLine(line, await ask(line))}\n`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

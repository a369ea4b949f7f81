/**
 * The engine every channel calls: one message in, one reply out. It validates what was
 * typed, handles commands and explicit intents, and otherwise answers from the knowledge
 * base. Channels only translate their platform's messages to `IncomingMessage` and render
 * the `Reply`.
 *
 * @example
 * const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: "data", promptsDir: "prompts" });
 * const reply = await engine.handle({ channel: "cli", userId: "me", text: "ky quy di dai loan bao nhieu" });
 * reply.citations[0]?.doc; // "Nghị định 112/2021/NĐ-CP"
 */
import { cleanUserText } from "../text/normalize.ts";
import { KnowledgeRetriever } from "../retrieval/retriever.ts";
import { openIndex, type KnowledgeIndex, type OpenIndexOptions } from "../retrieval/vector-index.ts";
import { Answerer } from "./compose.ts";
import { ruleIntent } from "./intent.ts";
import { fill, loadReplies, type Replies } from "./replies.ts";
import type { IncomingMessage, Reply } from "./types.ts";

/** Longest message the engine reads; longer ones get a polite request to shorten. */
export const MAX_MESSAGE_CHARS = 2000;

export interface EngineOptions {
  knowledgeDir: string;
  dataDir: string;
  promptsDir: string;
  rebuildIndex?: boolean;
  onProgress?: OpenIndexOptions["onProgress"];
}

export class Engine {
  readonly answerer: Answerer;

  constructor(
    readonly index: KnowledgeIndex,
    readonly retriever: KnowledgeRetriever,
    readonly replies: Replies,
  ) {
    this.answerer = new Answerer(index, retriever, replies);
  }

  private fixed(text: string, intent: Reply["intent"]): Reply {
    return { text, citations: [], suggestions: [], intent, confident: true };
  }

  async handle(message: IncomingMessage): Promise<Reply> {
    if (message.text === null) return { ...this.fixed(this.replies.unsupported, "help"), confident: false };
    const text = cleanUserText(message.text);
    if (!text) return { ...this.fixed(this.replies.empty, "help"), confident: false };
    if (text.length > MAX_MESSAGE_CHARS) {
      return {
        ...this.fixed(fill(this.replies.too_long, { length: text.length.toLocaleString("vi-VN"), max: MAX_MESSAGE_CHARS.toLocaleString("vi-VN") }), "help"),
        confident: false,
      };
    }
    const command = /^\/([a-z_]+)(?:@\w+)?\b/i.exec(text)?.[1]?.toLowerCase();
    if (command === "start") return this.fixed(this.replies.start, "greeting");
    if (command) return this.fixed(this.replies.help, "help");

    const intent = ruleIntent(text);
    if (intent === "greeting") return this.fixed(this.replies.greeting, "greeting");
    if (intent === "help") return this.fixed(this.replies.help, "help");
    if (intent === "out_of_scope") return { ...this.fixed(this.replies.out_of_scope, "out_of_scope"), confident: false };
    if (intent === "handoff") return this.fixed(this.replies.handoff, "handoff");
    return this.answerer.answer(text, intent);
  }
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const index = await openIndex({
    knowledgeDir: options.knowledgeDir,
    dataDir: options.dataDir,
    rebuild: options.rebuildIndex,
    onProgress: options.onProgress,
  });
  return new Engine(index, new KnowledgeRetriever(index), loadReplies(options.promptsDir));
}

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
import { openStore, type KeyValueStore } from "../store/store.ts";
import { answerFeeSlot, isCheckable, nextFeeStep, startFeeDialog, type FeeDialogState } from "../tools/fee-dialog.ts";
import { isoToday } from "../tools/common.ts";
import { ruleText } from "../tools/market.ts";

/** A half-finished fee check is kept this long, then forgotten. */
const FLOW_TTL_MS = 24 * 3600 * 1000;
/** Words that stop a question-and-answer flow. */
const CANCEL_RE = /^(huy|thoi|dung|stop|cancel|bo qua het|khong hoi nua)\b/;

/** Longest message the engine reads; longer ones get a polite request to shorten. */
export const MAX_MESSAGE_CHARS = 2000;

export interface EngineOptions {
  knowledgeDir: string;
  dataDir: string;
  promptsDir: string;
  rebuildIndex?: boolean;
  onProgress?: OpenIndexOptions["onProgress"];
  /** Where conversations in progress are kept (a fee check that asks questions). Default: memory. */
  sessions?: KeyValueStore;
  /** The clock, for tests: rules are applied as of this date. */
  now?: () => Date;
}

export class Engine {
  readonly answerer: Answerer;

  constructor(
    readonly index: KnowledgeIndex,
    readonly retriever: KnowledgeRetriever,
    readonly replies: Replies,
    private readonly sessions: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.answerer = new Answerer(index, retriever, replies);
  }

  /** Asks the fee check's next question (state saved first) or gives its verdicts. */
  private async feeStep(key: string, state: FeeDialogState, first: boolean): Promise<Reply> {
    const step = nextFeeStep(this.index.kb, state, isoToday(this.now()));
    if (step.kind === "ask") {
      await this.sessions.set(key, step.state, FLOW_TTL_MS);
      const text = first ? `${this.replies.fee_check_intro}\n${step.question}` : step.question;
      return { text, citations: [], suggestions: step.buttons, intent: "fee_check", confident: true };
    }
    await this.sessions.delete(key);
    const { answer } = step.result;
    const citations = this.answerer.citationsFor(answer.citations, "", "in_force");
    const decided = step.result.charges.some((c) => c.verdict !== "needs_info");
    return { text: answer.text, citations, suggestions: [], intent: "fee_check", confident: decided };
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
    const flowKey = `flow:${message.channel}:${message.userId}`;
    if (command === "huy" || command === "cancel") {
      await this.sessions.delete(flowKey);
      return this.fixed(this.replies.flow_cancelled, "help");
    }
    if (command === "start") return this.fixed(this.replies.start, "greeting");
    if (command) return this.fixed(this.replies.help, "help");

    // A fee check in progress reads this message as the answer to its question.
    const flow = await this.sessions.get<FeeDialogState>(flowKey);
    if (flow) {
      if (CANCEL_RE.test(ruleText(text))) {
        await this.sessions.delete(flowKey);
        return this.fixed(this.replies.flow_cancelled, "fee_check");
      }
      const filled = answerFeeSlot(flow, text);
      if (filled) return this.feeStep(flowKey, filled, false);
      // Not an answer: the person moved on to another question; drop the unfinished check.
      await this.sessions.delete(flowKey);
    }

    const intent = ruleIntent(text);
    if (intent === "greeting") return this.fixed(this.replies.greeting, "greeting");
    if (intent === "help") return this.fixed(this.replies.help, "help");
    if (intent === "out_of_scope") return { ...this.fixed(this.replies.out_of_scope, "out_of_scope"), confident: false };
    if (intent === "handoff") return this.fixed(this.replies.handoff, "handoff");
    if (intent === "fee_check") {
      const state = startFeeDialog(text);
      // Checked by code when the message names a charge with an amount, or a way of paying
      // that is wrong whatever the amount; other fee questions are answered from the knowledge.
      if (state.charges.some(isCheckable)) return this.feeStep(flowKey, state, true);
    }
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
  const sessions = options.sessions ?? (await openStore("memory://"));
  return new Engine(index, new KnowledgeRetriever(index), loadReplies(options.promptsDir), sessions, options.now);
}

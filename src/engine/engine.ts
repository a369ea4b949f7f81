/**
 * The engine every channel calls: one message in, one reply out. It is a short chain of
 * steps, each of which answers or passes the message on:
 *
 *   guard (empty, too long, not text) → commands and registration → a skill dialog in
 *   progress → the message's intent: fixed replies, then the skill for it (skills/index.ts)
 *   → the knowledge answer (compose.ts) → in LLM mode, the model over the same answer.
 *
 * Channels only translate their platform's messages to `IncomingMessage` and render the
 * `Reply`.
 *
 * @example
 * const engine = await createEngine({ knowledgeDir: "knowledge", dataDir: "data", promptsDir: "prompts" });
 * const reply = await engine.handle({ channel: "cli", userId: "me", text: "ky quy di dai loan bao nhieu" });
 * reply.citations[0]?.doc; // "Nghị định 112/2021/NĐ-CP"
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { cleanUserText, ruleText } from "../text/normalize.ts";
import { clampText, fill, isoToday, textRoom } from "../text/wording.ts";
import { KnowledgeRetriever } from "../retrieval/retriever.ts";
import { openIndex, type KnowledgeIndex, type OpenIndexOptions } from "../retrieval/vector-index.ts";
import { citationsOfChunk, citationTexts, hedgeOfChunk, toCitations } from "../knowledge/cite.ts";
import type { Topic } from "../knowledge/schema.ts";
import { openStore, type KeyValueStore } from "../store/store.ts";
import { CORE_INTENTS, type IncomingMessage, type Intent, type Reply } from "../contract.ts";
import { SKILLS } from "../skills/index.ts";
import type { Skill, SkillOutcome } from "../skills/skill.ts";
import type { DataSpec } from "../knowledge/texts.ts";
import type { z } from "zod";
import { understandingVocabulary } from "../understanding/vocabulary.ts";
import type { ToolAnswer } from "../skills/answer.ts";
import { RegistrationService } from "../registration/service.ts";
import { loadRegistrationPrompts } from "../registration/form.ts";
import { caseTexts } from "../registration/texts.ts";
import { registrationVocabulary } from "../registration/vocabulary.ts";
import type { Destinations } from "../registration/routing.ts";
import { LlmAssistant, hidePersonalNumbers, loadLlmPrompts, type LlmPrompts, type Turn as LlmTurn } from "../llm/assistant.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { understand, type Understanding } from "../understanding/understand.ts";
import { Answerer, type ComposeOptions } from "./compose.ts";
import { focusOf } from "./focus.ts";
import { isCancel, routingTopics, routingVocabulary, ruleIntent, startsRegistration } from "./intent.ts";
import { repliesTexts, type Replies } from "./replies.ts";

/** A question-and-answer flow in progress (a skill dialog) is kept this long, then forgotten. */
const FLOW_TTL_MS = 24 * 3600 * 1000;
/** LLM mode keeps this many earlier messages (both sides) for follow-up questions. */
const MAX_HISTORY_TURNS = 8;
const HISTORY_PREFIX = "llmhist:";
/** A quoted ask in a multi-part answer is cut to this many characters. */
const MAX_ASK_QUOTE = 80;
/** Longest message the engine reads; longer ones get a polite request to shorten. */
export const MAX_MESSAGE_CHARS = 2000;

export interface EngineOptions {
  knowledgeDir: string;
  dataDir: string;
  promptsDir: string;
  rebuildIndex?: boolean;
  onProgress?: OpenIndexOptions["onProgress"];
  /** Where conversations in progress are kept (a skill dialog, the registration form). Default: memory. */
  sessions?: KeyValueStore;
  /** The clock, for tests: rules are applied as of this date. */
  now?: () => Date;
  /** Where registrations are handed off (deploy-time config, see routing.ts); none: all wait in the unrouted list. */
  destinations?: Destinations;
  logger?: Logger;
  /** LLM mode: a chat model (see src/llm/model.ts) and its limits; offline without it. */
  llm?: { model: BaseChatModel; timeoutMs?: number; maxSteps?: number };
}

/** One message as the chain's steps see it. */
interface Turn {
  message: IncomingMessage;
  /** What was typed, cleaned (invisible characters out, NFC, spaces collapsed). */
  text: string;
  /** "/dangky" → "dangky". */
  command?: string;
  /** The person on their channel: "telegram:42". */
  userKey: string;
  /** Where a skill dialog in progress is kept. */
  flowKey: string;
}

/** A step answers the turn, or returns undefined to pass it on. */
type Step = (turn: Turn) => Promise<Reply | undefined>;

/** A skill dialog in progress, as kept in the session store. */
interface Flow {
  skill: string;
  state: unknown;
}

export class Engine {
  readonly answerer: Answerer;
  /** Every intent a reply can carry: the engine's own and each skill's. */
  readonly intents: readonly string[];
  /** Set by main.ts: every reply and failure is counted (no text, no user ids). */
  metrics?: Metrics;
  /** LLM mode (LLM_PROVIDER set): the model answers, the grounding gate checks, offline is the fallback. */
  llm?: LlmAssistant;
  logger?: Logger;
  /** The register button's label as typed text compares (its payload is its label). */
  private readonly registerButtonKey: string;
  private readonly chain: Step[];

  constructor(
    readonly index: KnowledgeIndex,
    readonly retriever: KnowledgeRetriever,
    readonly replies: Replies,
    private readonly sessions: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
    readonly registration?: RegistrationService,
    readonly skills: readonly Skill[] = SKILLS,
  ) {
    this.answerer = new Answerer(index.kb, retriever, replies, (intent) => this.topicsOf(intent));
    this.registerButtonKey = ruleText(replies.register_button);
    this.intents = [...new Set([...CORE_INTENTS, ...skills.map((s) => s.intent)])];
    this.chain = [this.guard, this.commands, this.dialogInProgress, this.routed];
  }

  /** One message in, one reply out; timed and counted for /metrics. */
  async handle(message: IncomingMessage): Promise<Reply> {
    const started = performance.now();
    try {
      const reply = await this.run(message);
      reply.mode ??= "offline";
      this.metrics?.observeReply(message.channel, reply.intent, (performance.now() - started) / 1000);
      return reply;
    } catch (err) {
      this.metrics?.observeError(message.channel);
      throw err;
    }
  }

  private async run(message: IncomingMessage): Promise<Reply> {
    const text = message.text === null ? "" : cleanUserText(message.text);
    const turn: Turn = {
      message,
      text,
      command: /^\/([a-z_]+)(?:@\w+)?\b/i.exec(text)?.[1]?.toLowerCase(),
      userKey: `${message.channel}:${message.userId}`,
      flowKey: `flow:${message.channel}:${message.userId}`,
    };
    for (const step of this.chain) {
      const reply = await step(turn);
      if (reply) return reply;
    }
    // The last step always answers; this is only reached if the chain is edited wrongly.
    throw new Error("engine chain ended without a reply: the last step must always answer");
  }

  /** The skill that answers messages of this intent. */
  skillFor(intent: Intent | undefined): Skill | undefined {
    return intent === undefined ? undefined : this.skills.find((s) => s.intent === intent);
  }

  /** Knowledge topics of an intent: its skill's, or the routing vocabulary's for the engine's own. */
  topicsOf(intent: Intent): readonly Topic[] {
    return this.skillFor(intent)?.topics ?? routingTopics(this.index.kb, intent);
  }

  // --- Steps --------------------------------------------------------------------------

  /** Not text, empty, or too long to read. */
  private guard: Step = async ({ message, text }) => {
    if (message.text === null) return { ...this.fixed(this.replies.unsupported, "help"), confident: false };
    if (!text) return { ...this.fixed(this.replies.empty, "help"), confident: false };
    if (text.length > MAX_MESSAGE_CHARS) {
      const values = { length: text.length.toLocaleString("vi-VN"), max: MAX_MESSAGE_CHARS.toLocaleString("vi-VN") };
      return { ...this.fixed(fill(this.replies.too_long, values), "help"), confident: false };
    }
    return undefined;
  };

  /** Commands, the registration form and questions to officers. */
  private commands: Step = async ({ text, command, userKey, flowKey }) => {
    const reg = this.registration;
    if (command === "huy" || command === "cancel") {
      await this.sessions.delete(flowKey);
      if (reg) await reg.cancelQuestion(userKey);
      // The form ends itself as its own cancel button would.
      const form = reg && (await reg.stepIfActive(userKey, reg.prompts.buttons.cancel));
      return form ? this.formReply(form) : this.fixed(this.replies.flow_cancelled, "help");
    }
    if (reg && command === "dangky") return this.formReply(await reg.start(userKey));
    if (reg && command === "trangthai") return this.fixed(await reg.status(userKey), "register");
    if (reg && command === "xoadulieu") {
      await this.sessions.delete(flowKey);
      await this.sessions.delete(`${HISTORY_PREFIX}${userKey}`);
      return this.fixed(await reg.deleteData(userKey), "register");
    }
    if (reg && command === "hoicanbo") {
      const question = text.replace(/^\/\S+\s*/, "");
      return this.fixed(question ? await reg.submitQuestion(userKey, question) : await reg.startQuestion(userKey), "handoff");
    }
    if (reg && !command && (await reg.asking(userKey))) return this.fixed(await reg.submitQuestion(userKey, text), "handoff");
    // A registration form in progress reads every message as its answer ("Huy" may be a name).
    const form = reg && !command ? await reg.stepIfActive(userKey, text) : undefined;
    if (form) return this.formReply(form);
    // The offer button (its payload is its label, from replies.yaml) or a plain wish to register.
    if (reg && (ruleText(text) === this.registerButtonKey || startsRegistration(this.index.kb, text))) {
      return this.formReply(await reg.start(userKey));
    }
    if (command === "start") return this.fixed(this.replies.start, "greeting");
    if (command) return this.fixed(this.replies.help, "help");
    return undefined;
  };

  /** A skill dialog in progress reads this message as the answer to its question. */
  private dialogInProgress: Step = async ({ text, flowKey }) => {
    const flow = await this.sessions.get<Flow>(flowKey);
    const skill = flow && this.skills.find((s) => s.name === flow.skill);
    if (!flow || !skill?.dialog) return undefined;
    if (isCancel(this.index.kb, text)) {
      await this.sessions.delete(flowKey);
      return this.fixed(this.replies.flow_cancelled, skill.intent);
    }
    const next = skill.dialog.reply(this.index.kb, flow.state, text);
    if (next !== undefined) return this.dialogStep(skill, flowKey, next, false);
    // Not an answer: the person moved on to another question; drop the unfinished dialog.
    await this.sessions.delete(flowKey);
    return undefined;
  };

  /** The message's intent decides: a fixed reply, its skill, or the knowledge; LLM mode on top. */
  private routed: Step = async (turn) => {
    const kb = this.index.kb;
    const understood = understand(kb, turn.text);
    if (understood.smallTalk) return { ...this.fixed(this.replies.small_talk[understood.smallTalk], "greeting"), confident: false };
    // A story is answered by what it asks, read with the situation it tells.
    const focus = focusOf(understood);
    const intent = ruleIntent(kb, focus);
    if (intent === "greeting") return this.fixed(this.replies.greeting, "greeting");
    if (intent === "help") return this.fixed(this.replies.help, "help");
    if (intent === "out_of_scope") return { ...this.fixed(this.replies.out_of_scope, "out_of_scope"), confident: false };
    if (intent === "handoff") return this.handoffReply(turn.userKey);
    const skill = this.skillFor(intent);
    // A story that asks nothing in words ("…người môi giới không trả lại tiền") tells of
    // what happened; it is not a request to check a charge.
    const unspoken = understood.asks[0]?.implicit === true && (understood.story || understood.situation.trouble.length > 0);
    const started = unspoken ? undefined : skill?.dialog?.start(kb, turn.text);
    const offline = started !== undefined
      ? await this.dialogStep(skill!, turn.flowKey, started, true)
      : await this.withParts(
          understood,
          await this.offlineAnswer(turn.text, focus, intent, {
            yesNo: understood.asks[0]?.yesNo,
            preferHelp: understood.situation.trouble.length > 0 || understood.asks[0]?.vague === true,
          }),
        );
    // A charge the dialog could check gets its verdict from the fee check, never from a model.
    return this.llm ? this.llmAnswer(turn, offline, started !== undefined, understood, focus) : offline;
  };

  // --- Answers --------------------------------------------------------------------------

  /** A skill's answer when the message gives it something to compute; else the knowledge. */
  private async offlineAnswer(text: string, focus: string, intent: Intent | undefined, options: ComposeOptions = {}): Promise<Reply> {
    const readers = [this.skillFor(intent), ...this.skills.filter((s) => s.serves?.includes(intent ?? ""))];
    for (const skill of readers) {
      const input = skill?.read?.(this.index.kb, text);
      if (!skill || input === undefined) continue;
      const outcome = skill.run(this.index.kb, input, isoToday(this.now()));
      if (outcome.decided) return this.withRegisterOffer(this.skillReply(outcome, intent ?? skill.intent), intent);
    }
    return this.withRegisterOffer(await this.answerer.answer(focus, intent ?? "qa", options), intent);
  }

  /**
   * The other asks of a message (at most two more), each answered in one sentence with its
   * citation, before the caveat and the next step — only when the main answer is confident, a card covers
   * the ask confidently, and the whole still fits one reply.
   */
  private async withParts(u: Understanding, reply: Reply): Promise<Reply> {
    if (!reply.confident || !reply.citations.length || u.asks.length < 2) return reply;
    const kb = this.index.kb;
    // The other parts go before the caveat and the next step, which close the reply.
    const stepPrefix = fill(this.replies.next_step, { step: "" });
    const hedgePrefix = citationTexts(kb).hedge.split("{")[0]!;
    const lines = reply.text.split("\n");
    const found = lines.findIndex((l, i) => i > 0 && (l.startsWith(stepPrefix) || (hedgePrefix.length > 3 && l.startsWith(hedgePrefix))));
    const at = found >= 0 ? found : lines.length;
    const withParts = (parts: string[]) => [...lines.slice(0, at), ...parts, ...lines.slice(at)].join("\n");
    const parts: string[] = [];
    const citations = [...reply.citations];
    for (const ask of u.asks.slice(1)) {
      const question = u.situation.marketName && !kb.markets.destination(ask.core) ? `${ask.core} ${u.situation.marketName}` : ask.core;
      const part = await this.answerer.part(question, ruleIntent(kb, question) ?? "qa", { yesNo: ask.yesNo });
      if (!part || citations.some((c) => c.doc === part.citation.doc && c.locator === part.citation.locator)) continue;
      const line = fill(this.replies.part, { ask: clampText([ask.text], MAX_ASK_QUOTE), answer: part.text });
      if (withParts([...parts, line]).length > textRoom([...citations, part.citation])) break;
      parts.push(line);
      citations.push(part.citation);
    }
    return parts.length ? { ...reply, text: withParts(parts), citations } : reply;
  }

  /** Questions about registering also offer the form. */
  private withRegisterOffer(reply: Reply, intent: Intent | undefined): Reply {
    if (intent !== "register" || !this.registration) return reply;
    return { ...reply, suggestions: [this.replies.register_button, ...reply.suggestions].slice(0, 3) };
  }

  /** Asks a skill dialog's next question (state saved first) or gives its answer. */
  private async dialogStep(skill: Skill, flowKey: string, state: unknown, first: boolean): Promise<Reply> {
    const step = skill.dialog!.step(this.index.kb, state, isoToday(this.now()));
    if (step.kind === "ask") {
      await this.sessions.set(flowKey, { skill: skill.name, state: step.state } satisfies Flow, FLOW_TTL_MS);
      const text = first ? `${skill.dialog!.intro(this.index.kb)}\n${step.question}` : step.question;
      return { text, citations: [], suggestions: step.buttons, intent: skill.intent, confident: true };
    }
    await this.sessions.delete(flowKey);
    return { ...this.skillReply(step.outcome, skill.intent), confident: step.outcome.decided };
  }

  private skillReply(outcome: SkillOutcome, intent: Intent): Reply {
    return this.toolReply(outcome.answer, intent);
  }

  /**
   * A skill's answer as a reply; citations get titles and status from the document
   * registry. The whole message (text and citation lines) stays within MAX_REPLY_CHARS:
   * middle lines go first, the verdict (first line) and the hedge (last line) stay.
   */
  private toolReply(answer: ToolAnswer, intent: Intent, confident = true): Reply {
    const citations = toCitations(this.index.kb, answer.citations);
    const room = textRoom(citations);
    const lines = answer.text.split("\n");
    const keepLast = answer.hedged && lines.length > 1 ? lines.pop()! : undefined;
    while (lines.length > 1 && [...lines, keepLast ?? ""].join("\n").length > room) lines.pop();
    const text = keepLast ? [...lines, keepLast].join("\n") : lines.join("\n");
    return { text, citations, suggestions: [], intent, confident };
  }

  private formReply(r: { text: string; buttons: string[] }): Reply {
    return { text: r.text, citations: [], suggestions: r.buttons, intent: "register", confident: true };
  }

  private fixed(text: string, intent: Intent): Reply {
    return { text, citations: [], suggestions: [], intent, confident: true };
  }

  /** How to reach an officer; with a case, the question can go to that office's officers. */
  private async handoffReply(userKey: string): Promise<Reply> {
    const hasCase = this.registration && (await this.registration.store.byUser(userKey));
    return { ...this.fixed(this.replies.handoff, "handoff"), suggestions: hasCase ? ["/hoicanbo"] : [this.replies.register_button] };
  }

  // --- LLM mode -------------------------------------------------------------------------

  /**
   * Turns on LLM mode: the model answers over this engine's retriever and skills, and the
   * grounding gate decides, turn by turn, whether its answer or the offline one is sent.
   *
   * @example
   * engine.useLanguageModel({ model: new ChatOllama({ model: "qwen2.5:7b-instruct" }), prompts: loadLlmPrompts("prompts") });
   */
  useLanguageModel(options: { model: BaseChatModel; prompts: LlmPrompts; timeoutMs?: number; maxSteps?: number }): void {
    const { kb } = this.index;
    this.llm = new LlmAssistant({
      ...options,
      kb,
      skills: this.skills,
      search: (query) => this.retriever.invoke(query),
      describe: (meta) => ({ citations: citationsOfChunk(kb, meta), hedge: hedgeOfChunk(kb, meta) }),
    });
  }

  /**
   * LLM mode: the model answers with this turn's passages and the tools; the grounding
   * gate decides whether its answer or the offline one is sent. The last turns are kept in
   * the session store (deleted with /xoadulieu) so follow-up questions make sense.
   */
  private async llmAnswer({ message, text, flowKey, userKey }: Turn, offline: Reply, needsFeeCheck: boolean, understood: Understanding, focus: string): Promise<Reply> {
    const llm = this.llm!;
    const historyKey = `${HISTORY_PREFIX}${userKey}`;
    const history = (await this.sessions.get<LlmTurn[]>(historyKey)) ?? [];
    // A story's passages are those for what it asks, as in the offline answer.
    const passages = llm.toPassages(await this.retriever.invoke(focus));
    const reading = understood.story
      ? { asks: understood.asks.map((a) => a.text), market: understood.situation.marketName, situation: understood.situation.eventSearches }
      : undefined;
    const outcome = await llm.answer({ question: text, history, passages, today: isoToday(this.now()), needsFeeCheck, reading });
    this.metrics?.observeLlm(outcome.kind, outcome.kind === "fallback" ? outcome.reason : "none");
    let reply: Reply;
    if (outcome.kind === "handover") {
      await this.sessions.delete(flowKey);
      const reg = this.registration;
      if (outcome.to === "registration" && reg) reply = this.formReply(await reg.start(userKey));
      else if (outcome.to === "officer" && reg && (await reg.store.byUser(userKey))) reply = this.fixed(await reg.startQuestion(userKey), "handoff");
      else reply = await this.handoffReply(userKey);
      reply.mode = "llm";
    } else if (outcome.kind === "answer") {
      // The model answered instead of a dialog the offline engine may have started.
      await this.sessions.delete(flowKey);
      const toolIntent = this.skills.find((s) => outcome.tools.includes(s.name))?.intent;
      // Unverified knowledge keeps its hedge, in our words, whatever the model wrote.
      const hedges = outcome.hedges.filter((h) => !outcome.text.includes(h));
      reply = {
        text: [outcome.text, ...hedges].join("\n"),
        citations: toCitations(this.index.kb, outcome.citations),
        suggestions: offline.confident ? offline.suggestions : [],
        intent: offline.intent === "out_of_scope" ? (toolIntent ?? "qa") : offline.intent,
        confident: true,
        mode: "llm",
      };
    } else {
      // Counted and logged without any text: the reason, the tools, what kind of figures failed.
      this.logger?.warn(
        { channel: message.channel, reason: outcome.reason, tools: outcome.tools, unsupported: outcome.unsupported?.map((c) => c.kind) },
        "llm answer replaced by the offline answer",
      );
      reply = { ...offline, mode: "offline" };
    }
    const turns: LlmTurn[] = [...history, { role: "user", text: hidePersonalNumbers(text, llm.prompts.hidden_number) }, { role: "assistant", text: reply.text }];
    await this.sessions.set(historyKey, turns.slice(-MAX_HISTORY_TURNS), FLOW_TTL_MS);
    return reply;
  }
}

/**
 * Loads (or builds) the index, checks every wording and vocabulary file the engine and its
 * skills read — so a missing key stops start-up, not a conversation — and wires the
 * registration service.
 */
/**
 * Every wording and vocabulary file the engine and what it runs read (skills, registration,
 * understanding, citations, replies): validated at start-up, so a missing key stops the
 * start, not a conversation. src/data-files.ts adds the channels' for knowledge:check.
 */
export const ENGINE_DATA_SPECS: ReadonlyArray<DataSpec<z.ZodType>> = [
  ...SKILLS.flatMap((s) => s.data),
  citationTexts,
  understandingVocabulary,
  caseTexts,
  registrationVocabulary,
  routingVocabulary,
  repliesTexts,
];

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const index = await openIndex({
    knowledgeDir: options.knowledgeDir,
    dataDir: options.dataDir,
    promptsDir: options.promptsDir,
    rebuild: options.rebuildIndex,
    onProgress: options.onProgress,
  });
  const { kb } = index;
  for (const spec of ENGINE_DATA_SPECS) spec(kb);
  const sessions = options.sessions ?? (await openStore("memory://"));
  const registration = new RegistrationService({
    kb,
    kv: sessions,
    prompts: loadRegistrationPrompts(options.promptsDir),
    destinations: options.destinations ?? { offices: {} },
    now: options.now,
    logger: options.logger,
  });
  const engine = new Engine(index, KnowledgeRetriever.fromIndex(index), repliesTexts(kb), sessions, options.now, registration);
  engine.logger = options.logger;
  if (options.llm) engine.useLanguageModel({ ...options.llm, prompts: loadLlmPrompts(options.promptsDir) });
  return engine;
}

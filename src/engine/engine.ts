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
import { ruleIntent, startsRegistration } from "./intent.ts";
import { fill, isoToday, textRoom } from "../text/wording.ts";
import { repliesTexts, type Replies } from "./replies.ts";
import { citationsOfChunk, hedgeOfChunk, toCitations } from "../knowledge/cite.ts";
import type { IncomingMessage, Intent, Reply } from "../contract.ts";
import { openStore, type KeyValueStore } from "../store/store.ts";
import { answerFeeSlot, isCheckable, nextFeeStep, startFeeDialog, type FeeDialogState } from "../skills/fee/dialog.ts";
import { ruleText } from "../text/normalize.ts";
import { RegistrationService } from "../registration/service.ts";
import { loadRegistrationPrompts } from "../registration/form.ts";
import type { Destinations } from "../registration/routing.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { findOffice } from "../skills/office/find.ts";
import { scamCheck } from "../skills/scam/check.ts";
import { loanGuidance, parsePriorityGroup } from "../skills/loan/guidance.ts";
import { depositGuidance } from "../skills/deposit/guidance.ts";
import { isMoney, parseAmount } from "../text/amount.ts";
import type { OfficeTask } from "../knowledge/offices-schema.ts";
import { type ToolAnswer } from "../skills/answer.ts";
import { LlmAssistant, hidePersonalNumbers, loadLlmPrompts, type LlmPrompts, type Turn } from "../llm/assistant.ts";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";

/** A half-finished fee check is kept this long, then forgotten. */
const FLOW_TTL_MS = 24 * 3600 * 1000;
/** What someone asking "where" wants done, read from the message; counselling otherwise. */
const OFFICE_TASK_RULES: Array<[OfficeTask, RegExp]> = [
  ["complaints", /\b(khieu nai|to cao|to giac|bi lua|kien|bao cong an|phan anh)\b/],
  ["loans", /\bvay\b/],
  ["eps", /\b(eps|han quoc)\b/],
  ["direct_contract_registration", /\b(tu ky|ky truc tiep)\b/],
  ["cv_certification", /\b(so yeu|ly lich|xac nhan)\b/],
  ["licence_check", /\b(giay phep|uy tin|cty nao|cong ty nao)\b/],
  ["returnee_support", /\b(ve nuoc|tro ve)\b/],
  ["register_interest", /\b(dang ky|muon di|can di)\b/],
];
/** A scam check reads a forwarded post or offer: several red flags, or a long message. */
const SCAM_TOOL_MIN_FLAGS = 2;
const SCAM_TOOL_MIN_WORDS = 30;


/** LLM mode keeps this many earlier messages (both sides) for follow-up questions. */
const MAX_HISTORY_TURNS = 8;
const HISTORY_PREFIX = "llmhist:";
/** The intent a model's answer had when it used a tool. */
const TOOL_INTENTS: Record<string, Intent> = {
  check_fees: "fee_check", loan_guidance: "loan", deposit_guidance: "deposit", find_office: "find_office", scam_check: "scam_check",
};

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
  /** Where registrations are handed off (deploy-time config, see routing.ts); none: all wait in the unrouted list. */
  destinations?: Destinations;
  logger?: Logger;
  /** LLM mode: a chat model (see src/llm/model.ts) and its limits; offline without it. */
  llm?: { model: BaseChatModel; timeoutMs?: number; maxSteps?: number };
}

export class Engine {
  readonly answerer: Answerer;

  constructor(
    readonly index: KnowledgeIndex,
    readonly retriever: KnowledgeRetriever,
    readonly replies: Replies,
    private readonly sessions: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
    readonly registration?: RegistrationService,
  ) {
    this.answerer = new Answerer(index, retriever, replies);
    this.registerButtonKey = ruleText(replies.register_button);
  }

  /** The register button's label as typed text compares (its payload is its label). */
  private readonly registerButtonKey: string;

  /** Asks the fee check's next question (state saved first) or gives its verdicts. */
  private async feeStep(key: string, state: FeeDialogState, first: boolean): Promise<Reply> {
    const step = nextFeeStep(this.index.kb, state, isoToday(this.now()));
    if (step.kind === "ask") {
      await this.sessions.set(key, step.state, FLOW_TTL_MS);
      const text = first ? `${this.replies.fee_check_intro}\n${step.question}` : step.question;
      return { text, citations: [], suggestions: step.buttons, intent: "fee_check", confident: true };
    }
    await this.sessions.delete(key);
    const decided = step.result.charges.some((c) => c.verdict !== "needs_info");
    return this.toolReply(step.result.answer, "fee_check", decided);
  }

  private formReply(r: { text: string; buttons: string[] }): Reply {
    return { text: r.text, citations: [], suggestions: r.buttons, intent: "register", confident: true };
  }

  /**
   * A tool's answer as a reply; citations get titles and status from the document
   * registry. The whole message (text and citation lines) stays within MAX_REPLY_CHARS:
   * middle lines go first, the verdict (first line) and the hedge (last line) stay.
   */
  private toolReply(answer: ToolAnswer, intent: Reply["intent"], confident = true): Reply {
    const citations = toCitations(this.index.kb, answer.citations);
    const room = textRoom(citations);
    const lines = answer.text.split("\n");
    const keepLast = answer.hedged && lines.length > 1 ? lines.pop()! : undefined;
    while (lines.length > 1 && [...lines, keepLast ?? ""].join("\n").length > room) lines.pop();
    const text = keepLast ? [...lines, keepLast].join("\n") : lines.join("\n");
    return { text, citations, suggestions: [], intent, confident };
  }

  private fixed(text: string, intent: Reply["intent"]): Reply {
    return { text, citations: [], suggestions: [], intent, confident: true };
  }

  /** Set by main.ts: every reply and failure is counted (no text, no user ids). */
  metrics?: Metrics;
  /** LLM mode (LLM_PROVIDER set): the model answers, the grounding gate checks, offline is the fallback. */
  llm?: LlmAssistant;
  logger?: Logger;

  /** One message in, one reply out; timed and counted for /metrics. */
  async handle(message: IncomingMessage): Promise<Reply> {
    const started = performance.now();
    try {
      const reply = await this.handleMessage(message);
      reply.mode ??= "offline";
      this.metrics?.observeReply(message.channel, reply.intent, (performance.now() - started) / 1000);
      return reply;
    } catch (err) {
      this.metrics?.observeError(message.channel);
      throw err;
    }
  }

  private async handleMessage(message: IncomingMessage): Promise<Reply> {
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
    const userKey = `${message.channel}:${message.userId}`;
    const reg = this.registration;
    if (command === "huy" || command === "cancel") {
      await this.sessions.delete(flowKey);
      if (reg) await reg.cancelQuestion(userKey);
      const form = reg && (await reg.stepIfActive(userKey, "hủy"));
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
    if (reg && (ruleText(text) === this.registerButtonKey || startsRegistration(text))) {
      return this.formReply(await reg.start(userKey));
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
      const filled = answerFeeSlot(this.index.kb, flow, text);
      if (filled) return this.feeStep(flowKey, filled, false);
      // Not an answer: the person moved on to another question; drop the unfinished check.
      await this.sessions.delete(flowKey);
    }

    const intent = ruleIntent(text);
    if (intent === "greeting") return this.fixed(this.replies.greeting, "greeting");
    if (intent === "help") return this.fixed(this.replies.help, "help");
    if (intent === "out_of_scope") return { ...this.fixed(this.replies.out_of_scope, "out_of_scope"), confident: false };
    if (intent === "handoff") return this.handoffReply(userKey);
    // Checked by code when the message names a charge with an amount, or a way of paying
    // that is wrong whatever the amount; other fee questions are answered from the knowledge.
    const feeCheck = intent === "fee_check" ? startFeeDialog(this.index.kb, text) : undefined;
    const checkable = feeCheck?.charges.some(isCheckable) ? feeCheck : undefined;
    const offline = await this.offlineAnswer(text, intent, flowKey, checkable);
    return this.llm ? this.llmAnswer(message, text, offline, flowKey, userKey, checkable !== undefined) : offline;
  }

  /**
   * LLM mode: the model answers with this turn's passages and the tools; the grounding
   * gate decides whether its answer or the offline one is sent. The last turns are kept in
   * the session store (deleted with /xoadulieu) so follow-up questions make sense.
   */
  private async llmAnswer(
    message: IncomingMessage, text: string, offline: Reply, flowKey: string, userKey: string, needsFeeCheck: boolean,
  ): Promise<Reply> {
    const llm = this.llm!;
    const historyKey = `${HISTORY_PREFIX}${userKey}`;
    const history = (await this.sessions.get<Turn[]>(historyKey)) ?? [];
    const passages = llm.toPassages(await this.retriever.invoke(text));
    const outcome = await llm.answer({ question: text, history, passages, today: isoToday(this.now()), needsFeeCheck });
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
      // The model answered instead of a fee check the offline engine may have started.
      await this.sessions.delete(flowKey);
      const toolIntent = TOOL_INTENTS[outcome.tools.find((t) => t in TOOL_INTENTS) ?? ""];
      const citations = toCitations(this.index.kb, outcome.citations);
      // Unverified knowledge keeps its hedge, in our words, whatever the model wrote.
      const hedges = outcome.hedges.filter((h) => !outcome.text.includes(h));
      reply = {
        text: [outcome.text, ...hedges].join("\n"),
        citations,
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
    const turns: Turn[] = [...history, { role: "user", text: hidePersonalNumbers(text) }, { role: "assistant", text: reply.text }];
    await this.sessions.set(historyKey, turns.slice(-MAX_HISTORY_TURNS), FLOW_TTL_MS);
    return reply;
  }

  /**
   * Turns on LLM mode: the model answers over this engine's retriever and tools, and the
   * grounding gate decides, turn by turn, whether its answer or the offline one is sent.
   *
   * @example
   * engine.useLanguageModel({ model: new ChatOllama({ model: "qwen2.5:7b-instruct" }), prompts: loadLlmPrompts("prompts") });
   */
  useLanguageModel(options: { model: BaseChatModel; prompts: LlmPrompts; timeoutMs?: number; maxSteps?: number }): void {
    this.llm = new LlmAssistant({
      ...options,
      kb: this.index.kb,
      search: (query) => this.retriever.invoke(query),
      describe: (meta) => ({ citations: citationsOfChunk(this.index.kb, meta), hedge: hedgeOfChunk(this.index.kb, meta) }),
    });
  }

  /** How to reach an officer; with a case, the question can go to that office's officers. */
  private async handoffReply(userKey: string): Promise<Reply> {
    const hasCase = this.registration && (await this.registration.store.byUser(userKey));
    return { ...this.fixed(this.replies.handoff, "handoff"), suggestions: hasCase ? ["/hoicanbo"] : [this.replies.register_button] };
  }

  /** The answer without a language model: tools when the message gives them something to compute, else the knowledge. */
  private async offlineAnswer(text: string, intent: Intent | undefined, flowKey: string, feeCheck?: FeeDialogState): Promise<Reply> {
    const reg = this.registration;
    if (feeCheck) return this.feeStep(flowKey, feeCheck, true);
    if (intent === "scam_check") {
      // A forwarded post or offer: list the red flags it shows. A short question is
      // better answered by the knowledge card about it.
      const check = scamCheck(this.index.kb, { text });
      const long = ruleText(text).split(" ").length >= SCAM_TOOL_MIN_WORDS;
      if (check.status === "checked" && (check.flags.length >= SCAM_TOOL_MIN_FLAGS || (long && check.flags.length > 0))) {
        return this.toolReply(check.answer, "scam_check");
      }
    }
    // A sum to borrow or a deposit amount is computed against the caps, not looked up.
    const amount = intent === "loan" || intent === "deposit" ? parseAmount(text) : undefined;
    if (intent === "loan" && isMoney(amount) && amount.currency === "VND") {
      const f = ruleText(text);
      const out = loanGuidance(this.index.kb, {
        amountWanted: amount.value, eps: /\beps\b/.test(f), priorityGroup: parsePriorityGroup(text), asOf: isoToday(this.now()),
      });
      if (out.status === "ok") return this.toolReply(out.answer, "loan");
    }
    if (intent === "deposit" && isMoney(amount) && this.index.kb.markets.destination(text)) {
      const route = this.index.kb.markets.route(text);
      const out = depositGuidance(this.index.kb, { market: text, job: text, route, amountAsked: amount.value, asOf: isoToday(this.now()) });
      if (out.status === "ok") return this.toolReply(out.answer, "deposit");
    }
    if (intent === "register" && reg) {
      // Answer the question, and offer to leave details for an officer.
      const answered = await this.answerWithOffices(text, intent);
      return { ...answered, suggestions: [this.replies.register_button, ...answered.suggestions].slice(0, 3) };
    }
    return this.answerWithOffices(text, intent ?? "qa");
  }

  /** Offices for a named place, else the knowledge answer. */
  private async answerWithOffices(text: string, intent: Intent): Promise<Reply> {
    if (intent === "find_office" || intent === "register") {
      // A named place ("ở Cao Bằng", "quận Long Biên") gets the offices of that place.
      const place = this.answerer.placesIn(text)[0];
      if (place) {
        const f = ruleText(text);
        const task = OFFICE_TASK_RULES.find(([, re]) => re.test(f))?.[0] ?? "counselling";
        const found = findOffice(this.index.kb, { place, task });
        if (found.status === "resolved") return this.toolReply(found.answer, intent);
      }
    }
    return this.answerer.answer(text, intent);
  }
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const index = await openIndex({
    knowledgeDir: options.knowledgeDir,
    dataDir: options.dataDir,
    promptsDir: options.promptsDir,
    rebuild: options.rebuildIndex,
    onProgress: options.onProgress,
  });
  const sessions = options.sessions ?? (await openStore("memory://"));
  const registration = new RegistrationService({
    kb: index.kb,
    kv: sessions,
    prompts: loadRegistrationPrompts(options.promptsDir),
    destinations: options.destinations ?? { offices: {} },
    now: options.now,
    logger: options.logger,
  });
  const engine = new Engine(index, new KnowledgeRetriever(index), repliesTexts(index.kb), sessions, options.now, registration);
  engine.logger = options.logger;
  if (options.llm) engine.useLanguageModel({ ...options.llm, prompts: loadLlmPrompts(options.promptsDir) });
  return engine;
}

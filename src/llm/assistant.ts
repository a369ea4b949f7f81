/**
 * The optional LLM mode: a LangChain tool-calling loop over the same retriever and the
 * same zod tools as the offline engine. The engine retrieves first and hands the passages
 * over; the model may call tools (within `maxSteps` model calls and `timeoutMs` for the
 * whole turn); its final text must pass the grounding gate before it is sent. Anything
 * else — a figure not in the evidence, a citation of a document not retrieved, a request
 * for personal data, a refusal, a timeout, a provider error, too many steps — comes back
 * as a `fallback` with its reason, and the engine sends the offline answer.
 *
 * The model never decides a legal figure: fee verdicts come only from `check_fees`, and
 * every number it writes must be one the passages or tools produced.
 *
 * @example
 * const assistant = new LlmAssistant({ kb, model: fakeModel().respond(new AIMessage("…")), prompts, search, cite });
 * const outcome = await assistant.answer({ question: "phí dịch vụ tối đa?", history: [], passages, today: "2026-12-01" });
 * outcome.kind; // "answer" | "handover" | "fallback"
 */
import { join } from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { Document } from "@langchain/core/documents";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../knowledge/load.ts";
import type { ChunkMetadata } from "../knowledge/chunk.ts";
import type { Citation } from "../contract.ts";
import { clampText, fill, MAX_CITATIONS, textRoom } from "../text/wording.ts";
import { loadPromptFile } from "../knowledge/texts.ts";
import { citationLine } from "../knowledge/cite.ts";
import { fold } from "../text/normalize.ts";
import { skillTool, type Skill } from "../skills/skill.ts";
import { buildEvidence, checkGrounding, mergeEvidence, namesDocument, withoutEchoes, type Claim, type Evidence } from "./grounding.ts";

export const llmPromptsSchema = z.object({
  system: z.string().min(1),
  style: z.string().min(1),
  context_intro: z.string().min(1),
  no_passages: z.string().min(1),
  question_intro: z.string().min(1),
  history_note: z.string().min(1),
  /** How the engine read the message: its asks and the situation it tells. */
  reading: z.object({ intro: z.string().min(1), main_ask: z.string().min(1), other_ask: z.string().min(1), market: z.string().min(1), situation: z.string().min(1) }),
  /** What the model reads back from tools in plain words, and what hidden numbers become. */
  tool_text: z.object({
    nothing_found: z.string().min(1),
    unknown_tool: z.string().min(1),
    tool_error: z.string().min(1),
    bad_input: z.string().min(1),
    search_query: z.string().min(1),
    registration_started: z.string().min(1),
    officer_started: z.string().min(1),
  }),
  hidden_number: z.string().min(1),
});
export type LlmPrompts = z.infer<typeof llmPromptsSchema>;

export function loadLlmPrompts(promptsDir: string): LlmPrompts {
  return loadPromptFile(join(promptsDir, "llm.yaml"), llmPromptsSchema);
}

export interface TurnInput {
  question: string;
  /** Earlier messages, oldest first. */
  history: Turn[];
  /** What the engine retrieved for the question. */
  passages: Passage[];
  /** ISO date the rules apply as of. */
  today: string;
  /** The message names a charge with an amount: only check_fees may judge it. */
  needsFeeCheck?: boolean;
  /** How the engine read a long message: what it asks (main first) and what it tells. */
  reading?: { asks: string[]; market?: string; situation: string[] };
}

/** One earlier message of the conversation, as kept in the session store. */
export interface Turn {
  role: "user" | "assistant";
  text: string;
}

/** A retrieved passage as the model sees it: text, the citations it supports, and its hedge. */
export interface Passage {
  text: string;
  citations: Citation[];
  /** For knowledge not fully verified (V-S, M): who can confirm it, in our words. */
  hedge?: string;
}

export type FallbackReason =
  | "ungrounded" | "uncited" | "no_fee_check" | "personal_data" | "refusal" | "empty" | "timeout" | "error" | "steps";

export type LlmOutcome =
  /** `hedges`: lines saying who can confirm the unverified knowledge the answer cites. */
  | { kind: "answer"; text: string; citations: Citation[]; tools: string[]; hedges: string[] }
  | { kind: "handover"; to: "registration" | "officer"; tools: string[] }
  | { kind: "fallback"; reason: FallbackReason; tools: string[]; unsupported?: Claim[] };

export interface LlmAssistantOptions {
  kb: KnowledgeBase;
  /** The skills the model may call as tools (the engine's list). */
  skills: readonly Skill[];
  model: BaseChatModel;
  prompts: LlmPrompts;
  /** The engine's retriever, for the search_knowledge tool. */
  search: (query: string) => Promise<Document[]>;
  /** A retrieved chunk's citations (a card's sources, or the passage's own) and hedge line. */
  describe: (meta: ChunkMetadata) => { citations: Citation[]; hedge?: string };
  /** Whole turn: every model call and tool. Default 20 s. */
  timeoutMs?: number;
  /** Model calls per turn. Default 4. */
  maxSteps?: number;
}

/** Passage text shown to the model; a card's detail lines fit, a whole law article does not. */
const MAX_PASSAGE_CHARS = 1500;
const MAX_PASSAGES = 5;
const MAX_HISTORY_CHARS = 600;
const HANDOVER_TOOLS = { start_registration: "registration", ask_officer: "officer" } as const;

/** Asking the person for personal data is the registration form's job, after consent. */
const PERSONAL_DATA_RE =
  /\b(gui|cho|nhap|cung cap|de lai|nhan|ghi|doc)\s+(?:lai\s+)?(?:cho\s+)?(?:minh|toi|em|chung toi|tro ly)?\s*(?:biet\s+)?(so dien thoai|sdt|so cccd|cccd|cmnd|can cuoc|ho ten|ten day du|dia chi nha|so tai khoan|mat khau|ma otp|otp)\b/;
const NEGATION_RE = /\b(dung|khong|chua|dung bao gio|khong bao gio|tranh)\s+(?:\S+\s+){0,2}$/;
/** A model declining or not knowing: the offline engine may still know, or says so itself. */
const REFUSAL_RE =
  /\b(i (cannot|can't|am unable|am sorry)|i'm sorry|as an ai|toi khong the (tra loi|ho tro|giup)|minh khong the (tra loi|ho tro|giup)|(toi|minh) khong (biet|ro|co thong tin)|khong co (du )?thong tin)\b/;

export class LlmAssistant {
  /** The tools that compute from the knowledge; search and hand-over tools are added per turn. */
  private readonly kbTools: StructuredToolInterface[];
  /** Tools whose rules depend on the date: they get the engine's today unless the model asks about another. */
  private readonly datedTools: Set<string>;
  private readonly timeoutMs: number;
  private readonly maxSteps: number;

  /** The wording the model is given (prompts/llm.yaml). */
  get prompts(): LlmPrompts {
    return this.options.prompts;
  }

  constructor(private readonly options: LlmAssistantOptions) {
    const { kb } = options;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxSteps = options.maxSteps ?? 4;
    this.kbTools = options.skills.map((skill) => skillTool(skill, kb));
    this.datedTools = new Set(options.skills.filter((s) => s.dated).map((s) => s.name));
    if (typeof options.model.bindTools !== "function") {
      throw new Error(`The chat model ${options.model._llmType()} cannot call tools: pick a model with tool calling (LLM_MODEL) or unset LLM_PROVIDER`);
    }
  }

  /** Every tool the model may call; search results are reported to `onPassages` as evidence. */
  private toolsFor(onPassages: (passages: Passage[]) => void): StructuredToolInterface[] {
    const search = tool(
      async ({ query }) => {
        const passages = this.toPassages(await this.options.search(query));
        onPassages(passages);
        return passages.length ? formatPassages(this.options.kb, passages) : this.options.prompts.tool_text.nothing_found;
      },
      {
        name: "search_knowledge",
        description:
          "Search the knowledge base (laws, decrees, local plans, our answer cards) about working abroad; returns numbered passages with document, article and status.",
        schema: z.object({ query: z.string().min(2).max(300).describe(this.options.prompts.tool_text.search_query) }),
      },
    );
    return [...this.kbTools, search, ...handoverTools(this.options.prompts)];
  }

  /** Documents from the retriever as passages with their citations. */
  toPassages(docs: Document[]): Passage[] {
    return docs.slice(0, MAX_PASSAGES).map((d) => ({
      text: d.pageContent.slice(0, MAX_PASSAGE_CHARS),
      ...this.options.describe(d.metadata as ChunkMetadata),
    }));
  }

  /** One turn: see the module comment. Never throws; failures are a `fallback`. */
  async answer(input: TurnInput): Promise<LlmOutcome> {
    const used: string[] = [];
    // Today's date is computed, so the model may state it.
    const sources: Source[] = [source([input.today], [])];
    const addPassages = (passages: Passage[]) => {
      for (const p of passages) sources.push(source([p.text, ...p.citations.map((c) => citationLine(this.options.kb, c))], p.citations, p.hedge));
    };
    addPassages(input.passages);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new LlmTimeout()), this.timeoutMs);
    try {
      const tools = this.toolsFor(addPassages);
      const model = this.options.model.bindTools!(tools);
      const messages = this.messages(input);
      for (let step = 0; step < this.maxSteps; step++) {
        const reply = (await untilAborted(model.invoke(messages, { signal: controller.signal }), controller.signal)) as AIMessage;
        messages.push(reply);
        const calls = reply.tool_calls ?? [];
        if (!calls.length) {
          const text = cleanAnswer(contentText(reply));
          // A charge with an amount gets its verdict from check_fees, never from the model.
          if (input.needsFeeCheck && !used.includes("check_fees")) return { kind: "fallback", reason: "no_fee_check", tools: used };
          return this.gate(text, sources, used);
        }
        for (const call of calls) {
          used.push(call.name);
          const handover = HANDOVER_TOOLS[call.name as keyof typeof HANDOVER_TOOLS];
          if (handover) return { kind: "handover", to: handover, tools: used };
          const found = tools.find((t) => t.name === call.name);
          let content: string;
          if (!found) content = fill(this.options.prompts.tool_text.unknown_tool, { name: call.name, tools: tools.map((t) => t.name).join(", ") });
          else {
            try {
              // The rules apply as of the engine's today unless the model asks about another date.
              const args = this.datedTools.has(call.name) && !call.args.asOf ? { ...call.args, asOf: input.today } : call.args;
              content = String(await found.invoke(args));
              // A tool's output is evidence: its text, its figures, its citations.
              const parsed = safeJson(content);
              if (call.name !== "search_knowledge") {
                const output = source([content], citationsIn(parsed), hedgeLine(parsed));
                sources.push({ ...output, evidence: withoutEchoes(output.evidence, call.args, input.question) });
              }
            } catch (err) {
              // Bad arguments: the model may correct them on its next step.
              const error = err instanceof Error ? err.message.slice(0, 300) : this.options.prompts.tool_text.bad_input;
              content = fill(this.options.prompts.tool_text.tool_error, { name: call.name, error });
            }
          }
          messages.push(new ToolMessage({ content, tool_call_id: call.id ?? call.name, name: call.name }));
        }
      }
      return { kind: "fallback", reason: "steps", tools: used };
    } catch (err) {
      const timedOut = controller.signal.aborted || err instanceof LlmTimeout || (err instanceof Error && err.name === "AbortError");
      return { kind: "fallback", reason: timedOut ? "timeout" : "error", tools: used };
    } finally {
      clearTimeout(timer);
    }
  }

  private messages(input: TurnInput): BaseMessage[] {
    const { prompts } = this.options;
    const [y, m, d] = input.today.split("-");
    const system = `${fill(prompts.system, { today: `${d}/${m}/${y}` })}\n\n${prompts.style}${input.history.length ? `\n\n${prompts.history_note}` : ""}`;
    const history = input.history.map((t) =>
      t.role === "user" ? new HumanMessage(t.text.slice(0, MAX_HISTORY_CHARS)) : new AIMessage(t.text.slice(0, MAX_HISTORY_CHARS)),
    );
    const context = input.passages.length ? `${prompts.context_intro}\n<tai_lieu>\n${formatPassages(this.options.kb, input.passages)}\n</tai_lieu>` : prompts.no_passages;
    const question = `${prompts.question_intro}\n<cau_hoi>\n${neutralise(hidePersonalNumbers(input.question, prompts.hidden_number))}\n</cau_hoi>`;
    return [new SystemMessage(system), ...history, new HumanMessage(`${context}\n\n${question}${this.reading(input)}`)];
  }

  /** The engine's reading of a long message, as data after the question (its asks are the person's words, so neutralised too). */
  private reading(input: TurnInput): string {
    const r = input.reading;
    if (!r || r.asks.length === 0) return "";
    const { reading, hidden_number } = this.prompts;
    const clean = (t: string) => neutralise(hidePersonalNumbers(t, hidden_number));
    const lines = [
      fill(reading.main_ask, { ask: clean(r.asks[0]!) }),
      ...r.asks.slice(1).map((ask) => fill(reading.other_ask, { ask: clean(ask) })),
      ...(r.market ? [fill(reading.market, { market: r.market })] : []),
      ...(r.situation.length ? [fill(reading.situation, { situation: r.situation.join("; ") })] : []),
    ];
    return `\n\n${reading.intro}\n<doc_hieu>\n${lines.join("\n")}\n</doc_hieu>`;
  }

  /** The grounding gate and the other checks on a final answer. */
  private gate(answer: string, sources: Source[], tools: string[]): LlmOutcome {
    // One phone screen or two, like every reply: whole lines beyond it are dropped before checking.
    const text = clampText(answer.split("\n"), textRoom());
    const folded = fold(text);
    if (!text.trim()) return { kind: "fallback", reason: "empty", tools };
    if (REFUSAL_RE.test(folded.slice(0, 300))) return { kind: "fallback", reason: "refusal", tools };
    if (asksPersonalData(folded)) return { kind: "fallback", reason: "personal_data", tools };
    const evidenceCitations = sources.flatMap((s) => s.citations);
    const evidence = mergeEvidence(sources.map((s) => s.evidence));
    const result = checkGrounding(text, evidence);
    if (!result.ok) return { kind: "fallback", reason: "ungrounded", tools, unsupported: result.unsupported };
    // The citations the answer names, as the evidence gives them (title, locator, status).
    const citations: Citation[] = [];
    for (const c of evidenceCitations) {
      const named = result.cited.some((ref) => namesDocument(ref, c.doc)) || (!/\d/.test(c.doc) && folded.includes(fold(c.doc)));
      if (named && !citations.some((x) => x.doc === c.doc && x.locator === c.locator)) citations.push(c);
    }
    // A figure with no source the person can check is not sent.
    if (result.figures.length && !citations.length) return { kind: "fallback", reason: "uncited", tools };
    return { kind: "answer", text, citations: preferLocators(citations, folded).slice(0, MAX_CITATIONS), tools, hedges: hedgesFor(result.figures, sources) };
  }
}

/** start_registration and ask_officer: the engine runs its own flows when they are called. */
function handoverTools(prompts: LlmPrompts): StructuredToolInterface[] {
  const none = z.object({});
  return [
    tool(async () => prompts.tool_text.registration_started, {
      name: "start_registration",
      description: "The person wants to register so that an officer contacts them for advice or job referral abroad. Hands over to the consent-first registration form; do not ask for personal data yourself.",
      schema: none,
    }),
    tool(async () => prompts.tool_text.officer_started, {
      name: "ask_officer",
      description: "The person wants to ask an officer directly (commune People's Committee, provincial Department of Home Affairs). Hands the conversation over to the officers' question flow.",
      schema: none,
    }),
  ];
}

class LlmTimeout extends Error {
  override name = "LlmTimeout";
}

/** Where evidence came from: a passage or a tool's output, with its citations and hedge. */
interface Source {
  texts: string[];
  citations: Citation[];
  hedge?: string;
  /** What the figures in `texts` support (tool outputs lose the model's own inputs). */
  evidence: Evidence;
}

function source(texts: string[], citations: Citation[], hedge?: string): Source {
  return { texts, citations, hedge, evidence: buildEvidence(texts, citations.map((c) => c.doc)) };
}

/**
 * A figure only unverified knowledge supports (V-S, M) keeps that knowledge's hedge; a
 * figure a verified passage or tool also gives needs none.
 */
function hedgesFor(figures: Claim[], sources: Source[]): string[] {
  const hedged = sources.filter((s) => s.hedge);
  if (!figures.length || !hedged.length) return [];
  const solid = mergeEvidence(sources.filter((s) => !s.hedge).map((s) => s.evidence));
  const out = new Set<string>();
  for (const figure of figures) {
    if (solid.keys.has(figure.key)) continue;
    const from = hedged.find((s) => s.evidence.keys.has(figure.key));
    if (from) out.add(from.hedge!);
  }
  return [...out];
}

/** Some providers ignore the abort signal: the deadline holds anyway. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new LlmTimeout());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new LlmTimeout());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => { signal.removeEventListener("abort", onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener("abort", onAbort); reject(e); },
    );
  });
}

function formatPassages(kb: KnowledgeBase, passages: Passage[]): string {
  return passages
    .map((p, i) => `[${i + 1}] ${p.citations.map((c) => citationLine(kb, c)).join("; ")}\n${neutralise(p.text)}`)
    .join("\n\n");
}

/**
 * Phone and ID-card numbers typed into a question are not sent to the model nor kept in
 * the conversation history: the registration form collects them, after consent.
 * Amounts ("60000000", "60.000.000") do not start with 0 or +84 and stay.
 */
export function hidePersonalNumbers(text: string, placeholder: string): string {
  return text.replace(/(?<![\d.,])(?:\+84|0)(?:[\s.-]?\d){8,11}(?!\d)/g, placeholder);
}

/** Text inside our delimiters cannot close them: a document or a message saying "</tai_lieu>" stays data. */
function neutralise(text: string): string {
  return text.replace(/<\/?\s*(tai_lieu|cau_hoi|doc_hieu)\s*>/gi, (m) => m.replace(/[<>]/g, ""));
}

function contentText(message: AIMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map((part) => (typeof part === "string" ? part : part.type === "text" ? String(part.text) : "")).join("");
}

/**
 * Reasoning models put their thinking in <think>…</think>: only the answer is checked and
 * sent. Markdown bold and headings become plain text (channels escape what they show).
 */
function cleanAnswer(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/g, "")
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/^#{1,6}\s+/gm, "")
    .trim();
}

function asksPersonalData(folded: string): boolean {
  for (const m of folded.matchAll(new RegExp(PERSONAL_DATA_RE.source, "g"))) {
    if (!NEGATION_RE.test(folded.slice(Math.max(0, m.index! - 30), m.index!))) return true;
  }
  return false;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every {doc, locator} object in a tool's JSON output. */
function citationsIn(value: unknown, out: Citation[] = []): Citation[] {
  if (Array.isArray(value)) for (const v of value) citationsIn(v, out);
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.doc === "string" && typeof o.locator === "string") {
      const status = o.status === "superseded" || o.status === "history" ? o.status : "in_force";
      out.push({ doc: o.doc, locator: o.locator, title: typeof o.title === "string" ? o.title : o.doc, status });
    }
    for (const v of Object.values(o)) citationsIn(v, out);
  }
  return out;
}

/** A hedged tool answer ends with the line that says who can confirm (see ToolAnswer). */
function hedgeLine(value: unknown): string | undefined {
  const answer = value && typeof value === "object" ? (value as { answer?: { hedged?: boolean; text?: string } }).answer : undefined;
  return answer?.hedged && answer.text ? answer.text.split("\n").pop() : undefined;
}

/**
 * The citations to show for an answer. Those it names most precisely go first: its whole locator ("Phụ lục II",
 * "Điều 23 khoản 2"), then its article ("Điều 23"), each in the order the answer names them.
 */
function preferLocators(citations: Citation[], folded: string): Citation[] {
  const rank = (c: Citation): [number, number] => {
    const locator = fold(c.locator);
    const whole = folded.indexOf(locator);
    if (whole >= 0) return [0, whole];
    const article = /dieu\s+\d+/.exec(locator)?.[0];
    const at = article ? folded.search(new RegExp(`\\b${article}\\b`)) : -1;
    return at >= 0 ? [1, at] : [2, 0];
  };
  const ranked = citations.map((c) => ({ c, r: rank(c) }));
  // A document the answer cites by its whole locator keeps those locators only ("Điều 23
  // khoản 2" does not bring "Điều 23 khoản 4"); one cited by article keeps that article's
  // citations; one cited by name alone keeps its first (most relevant) citation.
  const kept = ranked.filter(({ c, r }) => {
    const sameDoc = ranked.filter((x) => x.c.doc === c.doc);
    const best = Math.min(...sameDoc.map((x) => x.r[0]));
    return best < 2 ? r[0] === best : sameDoc[0]!.c === c;
  });
  return kept.sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1]).map(({ c }) => c);
}

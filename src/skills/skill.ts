/**
 * The skill contract. A skill decides something by code from the knowledge — is this fee
 * legal, how much may I borrow, which office handles this — never by a model. The engine
 * asks each skill in `skills/index.ts` order; the LLM mode turns the same list into tools.
 *
 * A skill is recognised by the routing vocabulary (`knowledge/vocabulary/routing.yaml`
 * names the intent a message is about); `read` then takes what the message gives, and
 * when that is enough to compute, `run` answers. When it is not ("vay vốn cần gì?" names
 * no amount), the knowledge cards on the skill's `topics` answer instead.
 *
 * Adding a skill: a folder `skills/<name>/` with its pure function, its `index.ts`
 * exporting a `Skill`, its wording in `prompts/skills/<name>.yaml` and words in
 * `knowledge/vocabulary/<name>.yaml`; one line in `skills/index.ts`; a routing rule for
 * its intent; and a test that calls `runSkillContract` (src/testing/contracts/skill.ts).
 *
 * @example
 * const loan: Skill<LoanGuidanceInput, LoanGuidanceOutput> = {
 *   name: "loan_guidance", intent: "loan", topics: ["loans"], dated: true,
 *   description: "Borrowing from the Social Policy Bank to go to work abroad…",
 *   schema: () => loanInputSchema,
 *   read: (kb, text) => (amountIn(text) ? { amountWanted: amountIn(text) } : undefined),
 *   run: (kb, input, today) => { const out = loanGuidance(kb, { ...input, asOf: today });
 *     return { result: out, answer: out.answer, decided: out.status === "ok" }; },
 * };
 */
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { z } from "zod";
import type { KnowledgeBase } from "../knowledge/load.ts";
import type { Topic } from "../knowledge/schema.ts";
import type { DataSpec } from "../knowledge/texts.ts";
import type { ToolAnswer } from "./answer.ts";
import { isoToday } from "../text/wording.ts";

/** What a skill computed for one input. */
export interface SkillOutcome<Result = unknown> {
  /** The structured result: what the LLM mode's tool returns, as JSON. */
  result: Result;
  /** Plain Vietnamese text and its citations, ready for a chat message. */
  answer: ToolAnswer;
  /**
   * Whether the skill could decide from what it was given. In chat an undecided outcome
   * gives way to the knowledge answer; the LLM mode still sees the result.
   */
  decided: boolean;
}

/** One step of a skill that asks back: a question with choices, or the answer. */
export type DialogStep<State> =
  | { kind: "ask"; question: string; buttons: string[]; state: State }
  | { kind: "answer"; outcome: SkillOutcome };

/**
 * A skill that can ask for what is missing, one thing at a time. The engine keeps the
 * state between messages in the session store (plain JSON, so it survives a restart).
 */
export interface SkillDialog<State> {
  /** A dialog from the message that named the skill's subject, when it gives something to work with. */
  start(kb: KnowledgeBase, text: string): State | undefined;
  /** The person's answer to the last question; undefined when the message is not an answer (a new question). */
  reply(kb: KnowledgeBase, state: State, text: string): State | undefined;
  /** Ask the next thing, or answer. */
  step(kb: KnowledgeBase, state: State, today: string): DialogStep<State>;
  /** The intro line before the first question. */
  intro(kb: KnowledgeBase): string;
}

export interface Skill<Input = any, Result = unknown, State = any> {
  /** The tool's name, for the LLM mode and logs ("check_fees"). */
  readonly name: string;
  /** The intent a message about this skill has, and its reply carries ("fee_check"). */
  readonly intent: string;
  /** Other intents whose messages this skill also reads (the office skill reads a place in a question about registering). */
  readonly serves?: readonly string[];
  /** Knowledge topics of this skill: cards on them rank a little higher for its messages. */
  readonly topics: readonly Topic[];
  /** What the tool does, for a model (English). */
  readonly description: string;
  /** Whether the rules depend on the date: the LLM mode passes today. */
  readonly dated: boolean;
  /** Wording and vocabulary the skill reads; validated at start-up and by knowledge:check. */
  readonly data: ReadonlyArray<DataSpec<z.ZodType>>;
  /** The tool's input schema for this knowledge (market and job ids come from it). */
  schema(kb: KnowledgeBase): z.ZodType<Input>;
  /** The input a chat message gives, or undefined when it gives nothing to compute. */
  read?(kb: KnowledgeBase, text: string): Input | undefined;
  /** Pure: decides from the knowledge, as of `today` (ISO date). */
  run(kb: KnowledgeBase, input: Input, today: string): SkillOutcome<Result>;
  /** For skills that ask back in chat instead of `read` (the fee check). */
  readonly dialog?: SkillDialog<State>;
}

/**
 * The skill as a LangChain tool with its zod schema: the LLM mode calls exactly `run`,
 * as of the input's `asOf` when the model gave one, else today.
 */
export function skillTool(skill: Skill, kb: KnowledgeBase): StructuredToolInterface {
  return tool(
    async (input: Record<string, unknown>) => {
      const today = typeof input.asOf === "string" ? input.asOf : isoToday();
      return JSON.stringify(skill.run(kb, input, today).result);
    },
    { name: skill.name, description: skill.description, schema: skill.schema(kb) as z.ZodObject },
  ) as StructuredToolInterface;
}

/** Throws the first wording or vocabulary problem of any skill (start-up, knowledge:check). */
export function validateSkillData(kb: KnowledgeBase, skills: readonly Skill[]): void {
  for (const skill of skills) for (const spec of skill.data) spec(kb);
}

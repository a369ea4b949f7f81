/**
 * The contract every skill passes, as a vitest suite a skill's own test calls:
 *
 * @example
 * runSkillContract(loanSkill, {
 *   knowledge: () => kb,
 *   inputs: [{ amountWanted: 250_000_000 }, { priorityGroup: "poor" }],
 *   messages: ["vay 150 triệu đi Nhật có cần thế chấp không"],
 *   notForIt: ["vay vốn cần giấy tờ gì"],
 * });
 *
 * For each input: the schema accepts it and the result survives a JSON round trip through
 * the skill's LangChain tool unchanged; every citation names a document of
 * knowledge/documents.yaml (or a client document); an answer resting on V-S or M
 * knowledge is hedged, and one resting only on V-P knowledge is not; the text fits one
 * reply with its citation lines. Messages the skill is for are read into an input the
 * schema accepts; messages that give it nothing to compute are not.
 */
import { describe, expect, it } from "vitest";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { needsHedge, toCitations } from "../../knowledge/cite.ts";
import { textRoom } from "../../text/wording.ts";
import { skillTool, validateSkillData, type Skill, type SkillOutcome } from "../../skills/skill.ts";

export interface SkillContractOptions<Input> {
  /** The knowledge the skill runs on (loaded by the caller, e.g. in a beforeAll). */
  knowledge: () => KnowledgeBase;
  /** Inputs as the tool receives them, covering the skill's main cases. */
  inputs: Input[];
  /** Chat messages the skill should read (its `read`, or its dialog's `start`). */
  messages: string[];
  /** Chat messages of its subject that give it nothing to compute. */
  notForIt?: string[];
  /** The date the rules apply as of. */
  today?: string;
}

export function runSkillContract<Input>(skill: Skill<Input>, options: SkillContractOptions<Input>): void {
  const today = options.today ?? "2026-12-01";
  describe(`skill contract: ${skill.name}`, () => {
    const run = (input: Input): SkillOutcome => skill.run(options.knowledge(), input, today);

    it("names itself, its intent and its topics, and its wording and words load", () => {
      expect(skill.name).toMatch(/^[a-z_]+$/);
      expect(skill.intent).toMatch(/^[a-z_]+$/);
      expect(skill.topics.length).toBeGreaterThan(0);
      expect(skill.description.length).toBeGreaterThan(20);
      expect(() => validateSkillData(options.knowledge(), [skill])).not.toThrow();
    });

    it("accepts its inputs and returns the same result through its tool", async () => {
      const kb = options.knowledge();
      const tool = skillTool(skill, kb);
      for (const input of options.inputs) {
        expect(skill.schema(kb).safeParse(input).success, JSON.stringify(input)).toBe(true);
        const direct = JSON.parse(JSON.stringify(run(input).result)) as unknown;
        const viaTool = JSON.parse(String(await tool.invoke({ ...input, ...(skill.dated ? { asOf: today } : {}) }))) as unknown;
        expect(viaTool, JSON.stringify(input)).toEqual(direct);
      }
    });

    it("cites only known documents, hedges exactly what is not fully verified, and fits one reply", () => {
      const kb = options.knowledge();
      for (const input of options.inputs) {
        const { answer } = run(input);
        const label = JSON.stringify(input);
        expect(answer.text.trim(), label).not.toBe("");
        for (const c of answer.citations) expect(kb.documents.has(c.doc), `${label}: ${c.doc}`).toBe(true);
        expect(answer.hedged, `${label}: hedged`).toBe(needsHedge(answer.citations));
        expect(answer.text.length, `${label}: length`).toBeLessThanOrEqual(textRoom(toCitations(kb, answer.citations)));
      }
    });

    it("reads the messages it is for, and passes on those that give it nothing to compute", () => {
      const kb = options.knowledge();
      for (const text of options.messages) {
        if (skill.dialog) {
          expect(skill.dialog.start(kb, text), text).toBeDefined();
          continue;
        }
        const input = skill.read?.(kb, text);
        expect(input, text).toBeDefined();
        expect(skill.schema(kb).safeParse(input).success, text).toBe(true);
      }
      for (const text of options.notForIt ?? []) {
        const read = skill.dialog ? skill.dialog.start(kb, text) : skill.read?.(kb, text);
        expect(read, text).toBeUndefined();
      }
    });

    if (skill.dialog) {
      it("asks one question at a time with choices, or answers", () => {
        const kb = options.knowledge();
        for (const text of options.messages) {
          const state = skill.dialog!.start(kb, text)!;
          const step = skill.dialog!.step(kb, state, today);
          if (step.kind === "ask") {
            expect(step.question.trim(), text).not.toBe("");
            expect(step.buttons.length, text).toBeGreaterThan(0);
            // A choice from the buttons is an answer the dialog takes.
            expect(skill.dialog!.reply(kb, step.state, step.buttons[0]!), `${text} → ${step.buttons[0]}`).toBeDefined();
          } else {
            for (const c of step.outcome.answer.citations) expect(kb.documents.has(c.doc), c.doc).toBe(true);
          }
        }
      });
    }
  });
}

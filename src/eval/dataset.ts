/**
 * The evaluation set: one JSON object per line in `eval/questions.jsonl`, written the way
 * people type (with and without diacritics, abbreviations, typos, a few in English).
 *
 * @example
 * {"id":"q001","question":"ky quy di dai loan bao nhieu","tags":["unaccented","topic:deposit"],
 *  "expected_docs":["Nghị định 112/2021/NĐ-CP"],"facts":["12 trieu"],"intent":"deposit"}
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

const evalQuestionSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1),
  /** accented | unaccented | english, colloquial, typo, topic:<knowledge topic>. */
  tags: z.array(z.string().min(1)).min(1),
  /** Canonical document names; a hit is a retrieved unit that cites one of them. */
  expected_docs: z.array(z.string().min(1)),
  /** Regular expressions that must all match the diacritic-folded answer with its citations. */
  facts: z.array(
    z.string().refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, "not a valid regular expression"),
  ),
  /** One of the engine's intents (`Engine.intents`); checked when the set is run. */
  intent: z.string().regex(/^[a-z_]+$/),
});
export type EvalQuestion = z.infer<typeof evalQuestionSchema>;

/** Reads and validates the set; errors name the line and the field. */
export function loadQuestions(file: string): EvalQuestion[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: EvalQuestion[] = [];
  const ids = new Set<string>();
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    const parsed = evalQuestionSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${file}:${i + 1}: field "${issue.path.join(".")}": ${issue.message}`);
    }
    if (ids.has(parsed.data.id)) throw new Error(`${file}:${i + 1}: duplicate id "${parsed.data.id}"`);
    ids.add(parsed.data.id);
    out.push(parsed.data);
  });
  return out;
}

/**
 * The assistant's fixed replies, loaded from `prompts/replies.yaml` and validated, so
 * wording is reviewed as data. `fill` substitutes {placeholders} with plain text.
 *
 * @example
 * const replies = loadReplies("prompts");
 * fill(replies.too_long, { length: 10000, max: 2000 });
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const repliesSchema = z.object({
  start: z.string().min(1),
  help: z.string().min(1),
  greeting: z.string().min(1),
  empty: z.string().min(1),
  too_long: z.string().min(1),
  unsupported: z.string().min(1),
  not_covered: z.string().min(1),
  out_of_scope: z.string().min(1),
  hedge: z.string().min(1),
  superseded: z.string().min(1),
  history_note: z.string().min(1),
  next_step: z.string().min(1),
  clarify: z.string().min(1),
  handoff: z.string().min(1),
  fee_check_intro: z.string().min(1),
  flow_cancelled: z.string().min(1),
  register_button: z.string().min(1),
  slow_down: z.string().min(1),
  error: z.string().min(1),
  sources_label: z.string().min(1),
  more_label: z.string().min(1),
});
export type Replies = z.infer<typeof repliesSchema>;

/**
 * Reads a YAML file of wording and checks it with a zod schema; the error names the file
 * and the field, e.g. `prompts/replies.yaml: field "greeting": Too small`.
 */
export function loadPromptFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(parseYaml(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: field "${issue.path.join(".")}": ${issue.message}`);
  }
  return parsed.data;
}

export function loadReplies(promptsDir: string): Replies {
  return loadPromptFile(join(promptsDir, "replies.yaml"), repliesSchema);
}

export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

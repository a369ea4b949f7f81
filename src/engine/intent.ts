/**
 * A message's main intent, decided by the ordered rules of
 * `knowledge/vocabulary/routing.yaml` over the folded text (no diacritics, no
 * punctuation): the first rule whose patterns all match wins. The knowledge base then has
 * the last word: a question it does not cover is not answered, whatever its intent.
 *
 * @example
 * ruleIntent(kb, "vay tien ky quy di han eps duoc bao nhieu"); // "loan"
 * ruleIntent(kb, "cty doi 5 thang luong tien dich vu co dung ko"); // "fee_check"
 * ruleIntent(kb, "xkld nhat"); // undefined → a question for the knowledge base ("qa")
 */
import { z } from "zod";
import type { KnowledgeBase } from "../knowledge/load.ts";
import { defineVocabulary, foldedPattern } from "../knowledge/texts.ts";
import { ruleText } from "../text/normalize.ts";
import { topicSchema, type Topic } from "../knowledge/schema.ts";
import type { Intent } from "../contract.ts";

const patternName = z.string().regex(/^[a-z_]+$/, "a pattern name from `patterns`");

export const routingVocabulary = defineVocabulary(
  "routing",
  z
    .object({
      patterns: z.record(z.string(), z.array(foldedPattern).min(1)),
      intents: z.array(z.object({ intent: z.string().min(1), when: z.array(z.array(patternName).min(1)).min(1) })).min(1),
      topics: z.record(z.string(), z.array(topicSchema)).default({}),
      subjects: z.record(z.string(), z.array(patternName)),
      start_registration: z.array(patternName).min(1),
      cancel: z.array(foldedPattern).min(1),
    })
    .superRefine((v, ctx) => {
      const named = [...v.intents.flatMap((r) => r.when.flat()), ...Object.values(v.subjects).flat(), ...v.start_registration];
      for (const name of named) {
        if (!(name in v.patterns)) ctx.addIssue({ code: "custom", path: ["patterns", name], message: `"${name}" is used but not defined under patterns` });
      }
    }),
);

/** Folded, punctuation-free text the rules read ("$" kept: "$2000"). */
export function intentText(text: string): string {
  return ruleText(text, "$");
}

function matches(kb: KnowledgeBase, name: string, folded: string): boolean {
  return routingVocabulary(kb).patterns[name]!.some((re) => re.test(folded));
}

/** Intent decided by the rules alone, or undefined when the question is plain Q&A. */
export function ruleIntent(kb: KnowledgeBase, text: string): Intent | undefined {
  const f = intentText(text);
  if (!f) return undefined;
  for (const rule of routingVocabulary(kb).intents) {
    if (rule.when.some((all) => all.every((name) => matches(kb, name, f)))) return rule.intent === "qa" ? undefined : rule.intent;
  }
  return undefined;
}

/** Subjects a message mentions, whatever its main intent: "vay tiền ký quỹ" mentions a loan and a deposit. */
export function mentionedSubjects(kb: KnowledgeBase, text: string): Set<string> {
  const f = intentText(text);
  const out = new Set<string>();
  for (const [subject, names] of Object.entries(routingVocabulary(kb).subjects)) {
    if (names.some((name) => matches(kb, name, f))) out.add(subject);
  }
  return out;
}

/** A plain wish to register: the form starts. A question about registering is answered instead. */
export function startsRegistration(kb: KnowledgeBase, text: string): boolean {
  const f = ruleText(text);
  return routingVocabulary(kb).start_registration.some((name) => matches(kb, name, f));
}

/** Words that stop a flow in progress ("hủy", "thôi", "dừng"). */
export function isCancel(kb: KnowledgeBase, text: string): boolean {
  const f = ruleText(text);
  return routingVocabulary(kb).cancel.some((re) => re.test(f));
}

/** Knowledge topics of one of the engine's own intents ("register"). */
export function routingTopics(kb: KnowledgeBase, intent: string): Topic[] {
  return routingVocabulary(kb).topics[intent] ?? [];
}

/** Every intent the routing rules can give, for checks against the known ones. */
export function routedIntents(kb: KnowledgeBase): string[] {
  return [...new Set(routingVocabulary(kb).intents.map((r) => r.intent))];
}

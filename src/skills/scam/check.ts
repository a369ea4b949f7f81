/**
 * scamCheck: red flags of illegal recruitment in a forwarded post, a payment request or a
 * description, found by rules (no model), each explained in plain Vietnamese and cited
 * from the knowledge cards or facts.
 *
 * Matching is diacritic-aware per syllable (phrase.ts): "bao dau" matches "bao đậu", an
 * accented "báo đâu" does not. The flags and what the safe steps cite are
 * knowledge/red-flags.yaml; the sentences prompts/skills/scam.yaml (texts.ts); the
 * negation words knowledge/vocabulary/scam.yaml (vocabulary.ts).
 *
 * The tool never says a message is safe: without flags it says it found no clear sign and
 * lists the checks to make.
 *
 * @example
 * const r = scamCheck(kb, { text: "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em" });
 * r.verdict;                  // "many_signs"
 * r.flags.map((f) => f.id);   // ["guaranteed_selection", "personal_account", "extra_security"]
 */
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { CONFIDENCES, type RedFlag, type RedFlagSteps } from "../../knowledge/schema.ts";
import { cleanUserText } from "../../text/normalize.ts";
import { clampText, fill, textRoom } from "../../text/wording.ts";
import {
  cardById,
  citeCardSource,
  citeFact,
  confirmWith as cardConfirmWith,
  factById,
  needsHedge,
  officeType,
  toCitations,
  uniqueCitations,
  type ToolCitation,
} from "../../knowledge/cite.ts";
import { policeCard, type ToolAnswer } from "../answer.ts";
import { encodeText, findMatch, gap, NUM, phrase, type EncodedText, type Match } from "./phrase.ts";
import { scamTexts, type ScamTexts, type ScamVerdict } from "./texts.ts";
import { scamVocabulary } from "./vocabulary.ts";

export type { ScamVerdict };

const MAX_INPUT_CHARS = 8000;
/** The office that confirms when no card names anyone (knowledge/offices/office-types.yaml). */
const DEFAULT_CONFIRMER = "home_affairs_department";
const RED_FLAGS_FILE = "knowledge/red-flags.yaml";

/** What the tool does, for a model (the Skill and the LangChain tool share it). */
export const SCAM_TOOL_DESCRIPTION =
  "Rule-based red-flag check of a recruitment post, payment request or story about working abroad (guaranteed selection, paying before the contract, a personal bank account, brokerage or selection fees, tourist visas, EPS impersonation…); returns the flags with legal citations, a verdict and safe steps. Never says a message is safe.";

export const scamCheckInputSchema = z.object({
  text: z
    .string()
    .max(MAX_INPUT_CHARS)
    .describe("A forwarded recruitment post, payment request or description to check, in Vietnamese with or without diacritics."),
});
export type ScamCheckInput = z.input<typeof scamCheckInputSchema>;

export const SCAM_FLAG_IDS = [
  "guaranteed_selection", "pay_before_contract", "personal_account", "unlicensed_recruiter",
  "missing_licence_info", "tourist_visa", "eps_impersonation", "brokerage_fee", "selection_fee",
  "no_contract_or_papers", "no_test_needed", "high_pay_no_contract", "trafficking_risk",
  "border_illegal_work", "extra_security", "too_fast",
] as const;
export type ScamFlagId = (typeof SCAM_FLAG_IDS)[number];

/** "strong": the law forbids it outright; "caution": a sign to check, not proof. */
export type FlagSeverity = "strong" | "caution";

export interface ScamFlag {
  id: ScamFlagId;
  severity: FlagSeverity;
  /** Short Vietnamese name of the sign. */
  label: string;
  /** One or two short plain sentences. */
  explanation: string;
  /** The words in the message that raised the flag (digits of phone-like numbers removed). */
  evidence: string | null;
  citations: ToolCitation[];
  /** The card the explanation rests on, when it comes from a card. */
  cardId: string | null;
}

export interface SafeStep {
  text: string;
  citations: ToolCitation[];
}

export interface ScamCheckResult {
  status: "checked" | "invalid_input";
  needsInput: boolean;
  question: string | null;
  flags: ScamFlag[];
  verdict: ScamVerdict | null;
  verdictText: string | null;
  safeSteps: SafeStep[];
  answer: ToolAnswer;
}

// ---------------------------------------------------------------------------------------
// Rules: knowledge/red-flags.yaml, patterns with macros expanded here
// ---------------------------------------------------------------------------------------

type CitationRef = RedFlag["cites"][number];
type FlagRule = RedFlag & { id: ScamFlagId };

/** Expands {gapN}, {NUM} and the file's macros ({PERSON}…) in a pattern; regex {m,n} stays. */
function expandMacros(pattern: string, macros: Record<string, string>, file = RED_FLAGS_FILE): string {
  let out = pattern;
  // Macros may use {NUM} and {gapN}, so expand the named ones first.
  for (let i = 0; i < 3 && /\{[A-Z]+\}/.test(out); i++) {
    out = out.replace(/\{([A-Z]+)\}/g, (whole, name: string) => (name === "NUM" ? whole : (macros[name] ?? whole)));
  }
  out = out.replace(/\{gap(\d+)\}/g, (_, n: string) => gap(Number(n))).replace(/\{NUM\}/g, NUM);
  const unknown = /\{([A-Za-z]+\d*)\}/.exec(out);
  if (unknown) throw new Error(`${file}: pattern "${pattern}" uses an unknown macro {${unknown[1]}} — define it under macros`);
  return out;
}

/** The flags of this knowledge, with ids checked against the tool's list. */
function rulesOf(kb: KnowledgeBase): FlagRule[] {
  const { macros, flags } = kb.redFlags;
  return flags.map((flag) => {
    if (!(SCAM_FLAG_IDS as readonly string[]).includes(flag.id)) {
      throw new Error(`${RED_FLAGS_FILE}: flag id "${flag.id}" is not one the scam check knows (${SCAM_FLAG_IDS.join(", ")})`);
    }
    const expand = (p: string) => expandMacros(p, macros);
    return { ...flag, id: flag.id as ScamFlagId, when: flag.when.map((alt) => alt.map(expand)), unless: flag.unless?.map(expand) };
  });
}

interface CompiledRule {
  rule: FlagRule;
  when: RegExp[][];
  unless: RegExp[];
  citations: ToolCitation[];
  cardId: string | null;
  confirmWith: string | null;
}
interface Compiled {
  rules: CompiledRule[];
  /** Words that turn a phrase into advice or a denial (knowledge/vocabulary/scam.yaml). */
  negation: RegExp;
  steps: {
    licence: SafeStep;
    money: SafeStep;
    ask: SafeStep;
    police: SafeStep | null;
    hotline: SafeStep | null;
  };
  /** The flags that bring the hotline step. */
  hotlineFlags: ReadonlySet<string>;
  confirmWithHotline: string | null;
}

/**
 * Citations for a rule: a card's source with exactly this document and locator (the card's
 * confidence travels with it: the claim we repeat is the card's), or a fact. A card that no
 * longer cites it throws (MissingCardError) when the rules compile, i.e. at start-up.
 */
function resolveRefs(kb: KnowledgeBase, refs: CitationRef[]): { citations: ToolCitation[]; cardId: string | null; confirmWith: string | null } {
  const citations: ToolCitation[] = [];
  let cardId: string | null = null;
  let confirmWith: string | null = null;
  for (const ref of refs) {
    if ("fact" in ref) {
      citations.push(citeFact(factById(kb, ref.fact)));
    } else {
      citations.push(citeCardSource(kb, ref.card, ref));
      cardId ??= ref.card;
      confirmWith ??= cardConfirmWith(kb, ref.card) ?? null;
    }
  }
  return { citations, cardId, confirmWith };
}

const compiledCache = new WeakMap<KnowledgeBase, Compiled>();

/** Rules with their citations resolved against this knowledge; throws early on a broken citation. */
function compile(kb: KnowledgeBase): Compiled {
  const cached = compiledCache.get(kb);
  if (cached) return cached;
  const rules = rulesOf(kb).map((rule): CompiledRule => {
    const { citations, cardId, confirmWith } = resolveRefs(kb, rule.cites);
    if (citations.length === 0) throw new Error(`scam-check rule "${rule.id}" has no citation`);
    return {
      rule,
      when: rule.when.map((alt) => alt.map(phrase)),
      unless: (rule.unless ?? []).map(phrase),
      citations,
      cardId,
      confirmWith,
    };
  });

  const texts = scamTexts(kb);
  const sources = safeStepSources(kb);
  const step = (text: string, refs: CitationRef[]): SafeStep => ({ text, citations: resolveRefs(kb, refs).citations });
  // The one phone number we may print comes from contacts.yaml, never from code.
  const hotline = sources.hotline;
  const hotlineContact = hotline && kb.contacts.find((c) => c.id === hotline.contact && c.kind === "phone");
  const hotlineCards = (hotline?.cites ?? []).flatMap((ref) => ("card" in ref ? [ref.card] : []));
  const hasHotlineCards = hotlineCards.every((id) => kb.cards.some((c) => c.meta.id === id));

  const compiled: Compiled = {
    rules,
    negation: scamVocabulary(kb).negation,
    steps: {
      licence: step(texts.steps.licence, sources.licence),
      money: step(texts.steps.money, sources.money),
      // Cited by the rule that gives the provincial Department of Home Affairs this work.
      ask: { text: texts.steps.ask, citations: [officeType(kb, DEFAULT_CONFIRMER).citation] },
      // Only while the card still tells people to go to the commune/ward police.
      police: policeCard(kb) && sources.police ? step(texts.steps.police, sources.police) : null,
      hotline:
        hotline && hotlineContact && hasHotlineCards
          ? {
              text: fill(texts.steps.hotline, { hotline: hotlineContact.value }),
              citations: resolveRefs(kb, hotline.cites).citations.map((c) => ({
                ...c,
                // The number itself is only as sure as the contact entry.
                confidence: hotlineContact.confidence === "V-P" ? c.confidence : hotlineContact.confidence,
              })),
            }
          : null,
    },
    hotlineFlags: new Set(hotline?.flags ?? []),
    confirmWithHotline: hotlineCards[0] ? (cardConfirmWith(kb, hotlineCards[0]) ?? null) : null,
  };
  compiledCache.set(kb, compiled);
  return compiled;
}

/** What the safe steps rest on (knowledge/red-flags.yaml, safe_steps); its flags must be the tool's. */
function safeStepSources(kb: KnowledgeBase): RedFlagSteps {
  const sources = kb.redFlags.safe_steps;
  if (!sources) throw new Error(`${RED_FLAGS_FILE}: safe_steps missing — the scam check cites it for the steps it lists (licence, money, police, hotline)`);
  const unknown = sources.hotline?.flags.find((id) => !(SCAM_FLAG_IDS as readonly string[]).includes(id));
  if (unknown) throw new Error(`${RED_FLAGS_FILE}: safe_steps.hotline.flags names "${unknown}", not a flag the scam check knows (${SCAM_FLAG_IDS.join(", ")})`);
  // A card named by a step must exist (except the hotline's, whose step is then left out).
  for (const ref of [...sources.licence, ...sources.money, ...(sources.police ?? [])]) if ("card" in ref) cardById(kb, ref.card);
  return sources;
}

// ---------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------

function invalid(question: string): ScamCheckResult {
  return {
    status: "invalid_input",
    needsInput: true,
    question,
    flags: [],
    verdict: null,
    verdictText: null,
    safeSteps: [],
    answer: { text: question, citations: [], hedged: false },
  };
}

/** Evidence shown back: the person's own words, without phone-like digit runs. */
function evidenceText(t: EncodedText, m: Match): string {
  return t.words
    .slice(m.from, m.to)
    .join(" ")
    .replace(/\d{5,}/g, "…");
}

/** The matches of the first alternative whose patterns all match, or undefined. */
function detect(c: CompiledRule, t: EncodedText, negation: RegExp): Match[] | undefined {
  if (c.unless.some((re) => findMatch(t, re, null))) return undefined;
  for (const alt of c.when) {
    const matches: Match[] = [];
    for (const re of alt) {
      const m = findMatch(t, re, c.rule.negatable ? negation : null);
      if (!m) break;
      matches.push(m);
    }
    if (matches.length === alt.length && matches.length > 0) return matches;
  }
  return undefined;
}

function verdictOf(flags: ScamFlag[]): ScamVerdict {
  if (flags.length === 0) return "no_clear_sign";
  const strong = flags.filter((f) => f.severity === "strong").length;
  // Two signs, one of them a plain breach of the law, is the pattern of a scam.
  if (strong >= 1 && flags.length >= 2) return "many_signs";
  return "caution";
}

/**
 * Red flags in `input.text`, a verdict and safe steps. Never throws on bad input: it
 * returns `status: "invalid_input"` with a Vietnamese request instead.
 */
export function scamCheck(kb: KnowledgeBase, input: ScamCheckInput): ScamCheckResult {
  const texts = scamTexts(kb);
  const parsed = scamCheckInputSchema.safeParse(input);
  if (!parsed.success) {
    const tooLong = parsed.error.issues.some((i) => i.code === "too_big");
    return invalid(tooLong ? texts.invalid.too_long : texts.invalid.empty);
  }
  const text = cleanUserText(parsed.data.text);
  if (!/[\p{L}\p{N}]/u.test(text)) return invalid(texts.invalid.empty);

  const compiled = compile(kb);
  const encoded = encodeText(text);
  const flags: ScamFlag[] = [];
  // Who can confirm what a flag or step rests on, when it is not fully verified.
  const confirmWith = new Map<ScamFlag | SafeStep, string>();
  for (const c of compiled.rules) {
    const m = detect(c, encoded, compiled.negation);
    if (!m) continue;
    const flag: ScamFlag = {
      id: c.rule.id,
      severity: c.rule.severity,
      label: c.rule.label,
      explanation: c.rule.explanation,
      evidence: [...new Set(m.map((x) => evidenceText(encoded, x)))].join(" … "),
      citations: c.citations,
      cardId: c.cardId,
    };
    flags.push(flag);
    if (c.confirmWith && needsHedge(c.citations)) confirmWith.set(flag, c.confirmWith);
  }
  // A missing licence number says little when the message already names an unlicensed recruiter.
  if (flags.some((f) => f.id === "unlicensed_recruiter")) {
    const i = flags.findIndex((f) => f.id === "missing_licence_info");
    if (i !== -1) flags.splice(i, 1);
  }

  const verdict = verdictOf(flags);
  const { steps } = compiled;
  const safeSteps: SafeStep[] = [steps.licence, steps.money, steps.ask];
  if (flags.length > 0 && steps.police) safeSteps.push(steps.police);
  if (steps.hotline && flags.some((f) => compiled.hotlineFlags.has(f.id))) {
    safeSteps.push(steps.hotline);
    if (compiled.confirmWithHotline && needsHedge(steps.hotline.citations)) confirmWith.set(steps.hotline, compiled.confirmWithHotline);
  }

  return {
    status: "checked",
    needsInput: false,
    question: null,
    flags,
    verdict,
    verdictText: texts.verdicts[verdict],
    safeSteps,
    answer: composeAnswer(kb, texts, verdict, flags, safeSteps, confirmWith, [steps.ask]),
  };
}

/**
 * Citations without repeats (same document and locator), in order of first appearance,
 * each with the lowest confidence any of its repeats carries, so the citations shown say
 * why an answer is hedged.
 */
function weakestOfRepeats(all: ToolCitation[]): ToolCitation[] {
  const key = (c: ToolCitation) => `${c.doc}|${c.locator}`;
  const weakest = new Map<string, ToolCitation["confidence"]>();
  for (const c of all) {
    const seen = weakest.get(key(c));
    if (seen === undefined || CONFIDENCES.indexOf(c.confidence) > CONFIDENCES.indexOf(seen)) weakest.set(key(c), c.confidence);
  }
  return uniqueCitations(all).map((c) => ({ ...c, confidence: weakest.get(key(c)) ?? c.confidence }));
}

/**
 * The chat answer, text and citation lines within one reply (textRoom): every flag with
 * its explanation (leaving out an optional step first when that is enough), then the last
 * flags with their name only; with too many flags for
 * that, the first flags' names and the first step. The citations are those of the flags
 * and steps shown, and a V-S/M one brings the hedge line, always last.
 */
function composeAnswer(
  kb: KnowledgeBase,
  t: ScamTexts,
  verdict: ScamVerdict,
  flags: ScamFlag[],
  steps: SafeStep[],
  confirmWith: ReadonlyMap<ScamFlag | SafeStep, string>,
  /** Steps the answer can do without before a flag loses its explanation (the general "ask first"). */
  optional: readonly SafeStep[] = [],
): ToolAnswer {
  const verdictLine = fill(t.verdict_line, { verdict: t.verdicts[verdict] });
  const head = verdict === "no_clear_sign" ? `${verdictLine} ${t.no_flag_note}` : verdictLine;
  const stepLine = (s: SafeStep, i: number) => fill(t.step_line, { number: i + 1, step: s.text });
  const flagName = (f: ScamFlag) => fill(t.flag_name, { label: f.label });
  const flagLine = (f: ScamFlag) => fill(t.flag_line, { label: f.label, explanation: f.explanation });

  const fallbackOffice = fill(t.default_office, { office: officeType(kb, DEFAULT_CONFIRMER).name });
  /** The answer showing these flags and steps, and the room its citations leave. */
  const answerWith = (shownFlags: ScamFlag[], shownSteps: SafeStep[], lines: string[]) => {
    const citations = weakestOfRepeats([...shownFlags.flatMap((f) => f.citations), ...shownSteps.flatMap((s) => s.citations)]);
    const hedged = needsHedge(citations);
    const who = [...shownFlags, ...shownSteps].map((x) => confirmWith.get(x)).find((w) => w !== undefined);
    const hedge = fill(t.hedge, { office: who ?? fallbackOffice });
    const room = textRoom(toCitations(kb, citations));
    const text = [...lines, ...(hedged ? [hedge] : [])].join("\n");
    return { answer: { text, citations, hedged }, room, hedgeLength: hedged ? hedge.length + 1 : 0 };
  };

  const fewer = steps.filter((s) => !optional.includes(s));
  const stepChoices = fewer.length < steps.length && fewer.length > 0 ? [steps, fewer] : [steps];
  for (let full = flags.length; full >= 0; full--) {
    const flagLines = flags.length === 0 ? [] : [t.flags_heading, ...flags.map((f, i) => (i < full ? flagLine(f) : flagName(f)))];
    for (const shownSteps of stepChoices) {
      const stepLines = [t.steps_heading, ...shownSteps.map(stepLine)];
      const { answer, room } = answerWith(flags, shownSteps, [head, ...flagLines, ...stepLines]);
      if (answer.text.length <= room) return answer;
    }
  }
  // Still too long (many flags): the verdict, the first flags' names, the first step and
  // the hedge; the flags left out take their citations with them.
  const first = steps.slice(0, 1);
  for (let shown = flags.length; shown >= 1; shown--) {
    const named = flags.slice(0, shown);
    const { answer, room } = answerWith(named, first, [head, t.flags_heading, ...named.map(flagName), ...first.map(stepLine)]);
    if (answer.text.length <= room) return answer;
  }
  const named = flags.slice(0, 1);
  const { answer, room, hedgeLength } = answerWith(named, [], [head]);
  const body = clampText([head, t.flags_heading, ...named.map(flagName)], room - hedgeLength);
  return { ...answer, text: answer.hedged ? `${body}\n${answer.text.split("\n").at(-1)}` : body };
}


/**
 * scamCheck: red flags of illegal recruitment in a forwarded post, a payment request or a
 * description, found by rules (no model), each explained in plain Vietnamese and cited
 * from the knowledge cards or facts.
 *
 * Matching is diacritic-aware per syllable: a syllable typed without diacritics matches
 * any accented form ("bao dau" matches "bao đậu"), while a syllable typed with diacritics
 * must match exactly (tone placement aside). So an unaccented message is still read, and
 * an accented "báo đâu" is not mistaken for "bao đậu".
 *
 * The tool never says a message is safe: without flags it says it found no clear sign and
 * lists the checks to make.
 *
 * @example
 * const r = scamCheck(kb, { text: "Bao đậu 100%, chuyển cọc vào tài khoản cá nhân của em" });
 * r.verdict;                  // "many_signs"
 * r.flags.map((f) => f.id);   // ["guaranteed_selection", "personal_account", "extra_security"]
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { RedFlag } from "../../knowledge/schema.ts";
import { cleanUserText, fold, toneKey } from "../../text/normalize.ts";
import { MAX_REPLY_CHARS as MAX_ANSWER_CHARS } from "../../text/wording.ts";
import { citeCardSource, citeFact, confirmWith as cardConfirmWith, factById, needsHedge, officeType, uniqueCitations, type ToolCitation } from "../../knowledge/cite.ts";
import { policeCard, type ToolAnswer } from "../answer.ts";
const MAX_INPUT_CHARS = 8000;

export const scamCheckInputSchema = z.object({
  text: z
    .string()
    .max(MAX_INPUT_CHARS)
    .describe(
      "Tin tuyển người, lời đòi tiền hoặc lời kể cần kiểm tra (có hoặc không dấu). / A forwarded recruitment post, payment request or description to check.",
    ),
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

export type ScamVerdict = "many_signs" | "caution" | "no_clear_sign";

export const VERDICT_TEXT: Record<ScamVerdict, string> = {
  many_signs: "nhiều dấu hiệu lừa đảo",
  caution: "có dấu hiệu cần cẩn thận",
  no_clear_sign: "chưa thấy dấu hiệu rõ, vẫn cần kiểm tra",
};

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
// Diacritic-aware phrase matching
// ---------------------------------------------------------------------------------------

/**
 * Each syllable of the message becomes "fold#key": key is "*" when typed without
 * diacritics (it may stand for any accented form), else its tone key ("đậu" → "dau#đâu5").
 */
function encodeSyllable(s: string): string {
  const f = fold(s);
  return f === s ? `${f}#*` : `${f}#${toneKey(s)}`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A pattern syllable matches the same syllable typed without diacritics or with the same ones. */
function compileSyllable(word: string): string {
  const w = word.normalize("NFC").toLowerCase();
  const f = fold(w);
  return `${escapeRe(f)}#(?:\\*|${escapeRe(toneKey(w))})`;
}

/**
 * Compiles a phrase pattern: regex syntax over words written in proper Vietnamese. Words
 * are separated by single spaces; escapes, `{m,n}` and `[...]` classes pass through.
 */
function phrase(source: string): RegExp {
  // Only words are lower-cased: "\\S" and "\\s" must keep their meaning.
  const compiled = source.replace(/\\.|\{\d*,?\d*\}|\[[^\]]*\]|[\p{L}\p{N}]+/gu, (m) => (m.startsWith("\\") || m.startsWith("{") || m.startsWith("[") ? m : compileSyllable(m)));
  return new RegExp(`(?<= )(?:${compiled})(?= )`, "gu");
}

/** Up to n words of anything. */
const gap = (n: number): string => `(?:[^ ]+ ){0,${n}}`;
/** Any number token ("50", "50tr", "2000usd"): digits are never accented. */
const NUM = String.raw`\d[^ #]*#\*`;

interface EncodedText {
  rep: string;
  starts: number[];
  words: string[];
}

function encodeText(text: string): EncodedText {
  const words = [...text.normalize("NFC").toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]);
  const starts: number[] = [];
  let rep = " ";
  for (const w of words) {
    starts.push(rep.length);
    rep += `${encodeSyllable(w)} `;
  }
  return { rep, starts, words };
}

// Words that, just before a phrase, turn it into advice or a denial ("không thu tiền môi giới").
const NEGATION = phrase("(không|ko|k|kg|khg|chẳng|chả|đừng|cấm|miễn|tránh|chưa từng)");

interface Match {
  from: number;
  to: number;
}

function findMatch(t: EncodedText, re: RegExp, negatable: boolean): Match | undefined {
  re.lastIndex = 0;
  for (const m of t.rep.matchAll(re)) {
    const from = t.starts.indexOf(m.index);
    if (from === -1) continue;
    const end = m.index + m[0].length;
    let to = from;
    while (to < t.starts.length && t.starts[to]! < end) to++;
    if (negatable) {
      // Two words before the phrase, and its own words after the first (a phrase may start
      // with "không" on purpose: "không đậu hoàn tiền"; "môi giới, không thu phí" is a denial).
      const tokenAt = (i: number): string => t.rep.slice(t.starts[i]!, t.starts[i + 1] ?? t.rep.length);
      const around: string[] = [];
      for (let i = Math.max(0, from - 2); i < from; i++) around.push(tokenAt(i));
      for (let i = from + 1; i < to; i++) around.push(tokenAt(i));
      NEGATION.lastIndex = 0;
      if (NEGATION.test(` ${around.join("")}`)) continue;
    }
    return { from, to };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Rules: knowledge/red-flags.yaml, patterns with macros expanded here
// ---------------------------------------------------------------------------------------

type CitationRef = RedFlag["cites"][number];
type FlagRule = RedFlag & { id: ScamFlagId };

const LAW = "Luật 69/2020/QH14";

/** Expands {gapN}, {NUM} and the file's macros ({PERSON}…) in a pattern; regex {m,n} stays. */
function expandMacros(pattern: string, macros: Record<string, string>, file = "knowledge/red-flags.yaml"): string {
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
      throw new Error(`knowledge/red-flags.yaml: flag id "${flag.id}" is not one the scam check knows (${SCAM_FLAG_IDS.join(", ")})`);
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
  steps: {
    licence: SafeStep;
    money: SafeStep;
    ask: SafeStep;
    police: SafeStep | null;
    hotline: SafeStep | null;
  };
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

  const step = (text: string, refs: CitationRef[]): SafeStep => ({ text, citations: resolveRefs(kb, refs).citations });
  const hotline = kb.contacts.find((c) => c.kind === "phone" && /mua ban nguoi/.test(fold(c.label)));
  const hotlineCard = "gen-scam-trafficking-hotline-111";
  const hasHotlineCard = kb.cards.some((c) => c.meta.id === hotlineCard);

  const compiled: Compiled = {
    rules,
    steps: {
      licence: step(
        "Hỏi tên đầy đủ và số giấy phép của công ty. Đối chiếu với danh sách công ty được cấp phép do Bộ Nội vụ công bố.",
        [
          { card: "law-company-check-licence", doc: LAW, locator: "Điều 15" },
          { card: "law-company-check-licence", doc: "Nghị định 276/2026/NĐ-CP", locator: "Điều 2 khoản 15" },
        ],
      ),
      money: step(
        "Chỉ nộp tiền sau khi đã ký hợp đồng bằng văn bản. Nộp vào tài khoản mang tên công ty, lấy phiếu thu có dấu, ghi rõ từng khoản.",
        [
          { card: "gen-scam-safe-steps", doc: LAW, locator: "Điều 23 khoản 2" },
          { card: "gen-scam-safe-steps", doc: LAW, locator: "Điều 21 khoản 2" },
        ],
      ),
      // Cited by the rule that gives the provincial Department of Home Affairs this work.
      ask: {
        text: "Chưa chắc thì hỏi UBND xã, phường nơi bạn ở hoặc Sở Nội vụ tỉnh trước khi nộp tiền.",
        citations: [officeType(kb, "home_affairs_department").citation],
      },
      // Only while the card still tells people to go to the commune/ward police.
      police: policeCard(kb)
        ? step("Giữ lại tin nhắn, biên nhận, số tài khoản. Nếu đã mất tiền, báo Công an xã, phường nơi bạn ở.", [
            { card: "gen-scam-red-flags", doc: LAW, locator: "Điều 7 khoản 1" },
          ])
        : null,
      // The one phone number we may print comes from contacts.yaml, never from code.
      hotline:
        hotline && hasHotlineCard
          ? {
              text: `Nếu người thân đã bị giữ hoặc bị ép làm việc, gọi ngay đường dây nóng ${hotline.value} hoặc báo Công an xã, phường.`,
              citations: [
                ...resolveRefs(kb, [{ card: hotlineCard, doc: LAW, locator: "Điều 7 khoản 1" }]).citations.map((c) => ({
                  ...c,
                  // The number itself is only as sure as the contact entry.
                  confidence: hotline.confidence === "V-P" ? c.confidence : hotline.confidence,
                })),
              ],
            }
          : null,
    },
    confirmWithHotline: cardConfirmWith(kb, hotlineCard) ?? null,
  };
  compiledCache.set(kb, compiled);
  return compiled;
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
function detect(c: CompiledRule, t: EncodedText): Match[] | undefined {
  if (c.unless.some((re) => findMatch(t, re, false))) return undefined;
  for (const alt of c.when) {
    const matches: Match[] = [];
    for (const re of alt) {
      const m = findMatch(t, re, c.rule.negatable);
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
  const parsed = scamCheckInputSchema.safeParse(input);
  if (!parsed.success) {
    const tooLong = parsed.error.issues.some((i) => i.code === "too_big");
    return invalid(
      tooLong
        ? "Tin quá dài. Hãy gửi phần chính: ai tuyển, đi nước nào, phải nộp những khoản tiền gì, nộp cho ai."
        : "Bạn hãy dán nội dung tin tuyển người, hoặc kể lại người ta nói gì và đòi nộp tiền thế nào.",
    );
  }
  const text = cleanUserText(parsed.data.text);
  if (!/[\p{L}\p{N}]/u.test(text)) {
    return invalid("Bạn hãy dán nội dung tin tuyển người, hoặc kể lại người ta nói gì và đòi nộp tiền thế nào.");
  }

  const compiled = compile(kb);
  const encoded = encodeText(text);
  const flags: ScamFlag[] = [];
  const confirmWith: string[] = [];
  for (const c of compiled.rules) {
    const m = detect(c, encoded);
    if (!m) continue;
    flags.push({
      id: c.rule.id,
      severity: c.rule.severity,
      label: c.rule.label,
      explanation: c.rule.explanation,
      evidence: [...new Set(m.map((x) => evidenceText(encoded, x)))].join(" … "),
      citations: c.citations,
      cardId: c.cardId,
    });
    if (c.confirmWith && c.citations.some((x) => x.confidence !== "V-P")) confirmWith.push(c.confirmWith);
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
  if (steps.hotline && flags.some((f) => f.id === "trafficking_risk" || f.id === "border_illegal_work")) {
    safeSteps.push(steps.hotline);
    if (compiled.confirmWithHotline && steps.hotline.citations.some((c) => c.confidence !== "V-P")) confirmWith.push(compiled.confirmWithHotline);
  }

  const allCitations = [...flags.flatMap((f) => f.citations), ...safeSteps.flatMap((s) => s.citations)];
  // Hedge on every citation before de-duplication: a repeat may carry the lower confidence.
  const hedged = needsHedge(allCitations);
  const who = confirmWith[0] ?? "Sở Nội vụ tỉnh, thành phố nơi bạn ở";
  const hedgeLine = hedged ? `Một số thông tin trên chưa được đối chiếu đủ với văn bản gốc. Hãy hỏi lại ${who} cho chắc.` : null;

  return {
    status: "checked",
    needsInput: false,
    question: null,
    flags,
    verdict,
    verdictText: VERDICT_TEXT[verdict],
    safeSteps,
    answer: { text: composeText(verdict, flags, safeSteps, hedgeLine), citations: uniqueCitations(allCitations), hedged },
  };
}

/** The chat text; flags beyond what fits keep only their name, so the answer stays ≤ 1,500 characters. */
function composeText(verdict: ScamVerdict, flags: ScamFlag[], steps: SafeStep[], hedgeLine: string | null): string {
  const head =
    verdict === "no_clear_sign"
      ? `Kết luận: ${VERDICT_TEXT[verdict]}. Tôi chỉ dò được những dấu hiệu lừa thường gặp, nên chưa thể nói tin này an toàn.`
      : `Kết luận: ${VERDICT_TEXT[verdict]}.`;
  const stepLines = ["Nên làm:", ...steps.map((s, i) => `${i + 1}. ${s.text}`)];
  const tail = hedgeLine ? [hedgeLine] : [];
  for (let full = flags.length; full >= 0; full--) {
    const flagLines =
      flags.length === 0
        ? []
        : ["Dấu hiệu thấy trong tin:", ...flags.map((f, i) => (i < full ? `- ${f.label}: ${f.explanation}` : `- ${f.label}.`))];
    const text = [head, ...flagLines, ...stepLines, ...tail].join("\n");
    if (text.length <= MAX_ANSWER_CHARS) return text;
  }
  // Still too long (many flags): keep the verdict, the flag names and the hedge; cut the steps.
  const names = flags.map((f) => `- ${f.label}.`);
  const short = [head, "Dấu hiệu thấy trong tin:", ...names, stepLines[1] ?? "", ...tail].join("\n");
  return short.length <= MAX_ANSWER_CHARS ? short : `${short.slice(0, MAX_ANSWER_CHARS - 1)}…`;
}

/** The LangChain tool: same function, zod-validated input, the result as a JSON string. */
export function scamCheckTool(kb: KnowledgeBase) {
  // Compile now so a broken citation fails at start-up, not in a conversation.
  compile(kb);
  // A JSON string, like the other tools: what a chat model reads as the tool's message.
  return tool(async (input) => JSON.stringify(scamCheck(kb, input)), {
    name: "scam_check",
    description:
      "Kiểm tra dấu hiệu lừa đảo trong tin tuyển người đi làm việc ở nước ngoài, lời đòi nộp tiền hoặc lời kể (bao đậu, nộp tiền trước khi ký hợp đồng, tài khoản cá nhân, tiền môi giới, phí giữ chỗ, visa du lịch, mạo danh EPS…). " +
      "Rule-based red-flag check of a recruitment post or payment request for Vietnamese overseas work; returns flags with legal citations, a verdict and safe steps.",
    schema: scamCheckInputSchema,
  });
}

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
import type { KnowledgeBase } from "../knowledge/load.ts";
import { cleanUserText, fold, toneKey } from "../text/normalize.ts";
import {
  MAX_ANSWER_CHARS,
  citeCard,
  citeFact,
  confirmWith as cardConfirmWith,
  factById,
  needsHedge,
  officeType,
  uniqueCitations,
  type ToolAnswer,
  type ToolCitation,
} from "./common.ts";
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
// Rules
// ---------------------------------------------------------------------------------------

const NEG = "(không|ko|k|kg|khg|hông|hổng|khỏi|chẳng|chả)";
const PAY = "(nộp|đóng|chuyển|gửi|đưa|trả|đặt|ck|chuyển khoản|bắn|thu|đòi|bắt)";
const MONEY = `(tiền|phí|cọc|khoản|lệ phí|chi phí|triệu|tr|củ|đô|usd|nghìn|ngàn|${NUM})`;
const CONTRACT = "(hợp đồng|hđ)";
const PERSON = "(anh|chị|em|tôi|mình|ông|bà|cô|chú|giám đốc|sếp|kế toán|người nhà|vợ|chồng|cán bộ|nhân viên)";

type CitationRef = { card: string; doc: string; locator: string } | { fact: string };

interface FlagRule {
  id: ScamFlagId;
  severity: FlagSeverity;
  label: string;
  explanation: string;
  /** Any alternative raises the flag; an alternative is patterns that must all match. */
  when: string[][];
  /** The flag is not raised when one of these matches (e.g. a contract is mentioned). */
  unless?: string[];
  /** Skip a match right after a negation ("không thu phí môi giới" is not a demand). */
  negatable: boolean;
  cites: CitationRef[];
}

const LAW = "Luật 69/2020/QH14";

const RULES: FlagRule[] = [
  {
    id: "guaranteed_selection",
    severity: "strong",
    label: "Hứa “bao đậu”",
    explanation: "Không ai được hứa chắc chắn trúng tuyển. Luật cấm dùng lời hứa, thông tin sai để dụ người lao động.",
    when: [
      ["bao (đậu|đỗ|trúng tuyển|trúng|visa|bay|xuất cảnh|phỏng vấn|qua phỏng vấn)"],
      ["(cam kết|đảm bảo|bảo đảm|chắc chắn|100|trăm phần trăm) (sẽ )?(đậu|đỗ|trúng tuyển|đi được|được đi|có visa|ra visa)"],
      ["(đậu|đỗ|trúng tuyển) 100"],
      [`${NEG} (đậu|đỗ|trúng tuyển|đi được|bay được|ra visa) (thì )?(hoàn|trả|hoàn trả|hoàn lại|trả lại|đền|bồi thường)`],
      ["(trượt|rớt) (thì )?(hoàn|trả|hoàn trả|hoàn lại|trả lại|đền)"],
      ["(lo|chạy|mua) (được )?(suất|điểm|chỉ tiêu)"],
    ],
    negatable: true,
    cites: [{ card: "gen-scam-red-flags", doc: LAW, locator: "Điều 7 khoản 1" }],
  },
  {
    id: "pay_before_contract",
    severity: "strong",
    label: "Đòi tiền trước khi ký hợp đồng",
    explanation:
      "Công ty chỉ được thu tiền dịch vụ sau khi bạn đã ký hợp đồng với công ty, và đơn hàng đã được Nhà nước chấp thuận.",
    when: [
      [`${PAY} ${gap(4)}(trước khi|khi chưa|lúc chưa|mà chưa) (ký|kí|có)`],
      [`(trước khi|chưa) (ký|kí) ${gap(2)}${CONTRACT} ${gap(4)}${PAY}`],
      [`${PAY} ${gap(5)}trước (rồi|mới|thì|để|sau|đã)`],
      [`(nộp|đóng|chuyển|ứng|cọc) trước ${gap(1)}${MONEY}`],
      [`(ký|kí|làm) ${CONTRACT} sau`],
    ],
    negatable: true,
    cites: [{ card: "money-service-fee-when-collect", doc: LAW, locator: "Điều 23 khoản 2" }],
  },
  {
    id: "personal_account",
    severity: "strong",
    label: "Bảo nộp tiền vào tài khoản cá nhân",
    explanation:
      "Tiền dịch vụ phải nộp cho chính công ty, có phiếu thu. Tiền ký quỹ (tiền gửi giữ ở ngân hàng để bảo đảm bạn làm đúng hợp đồng) phải vào tài khoản phong tỏa đứng tên bạn.",
    when: [
      [`(tài khoản|tk|stk) ${gap(1)}(cá nhân|riêng|của ${PERSON})`],
      [`(chuyển|ck|chuyển khoản|gửi|nộp|đưa) ${gap(2)}(tận tay|tiền mặt) (cho )?${PERSON}`],
      [`(chuyển|ck|chuyển khoản) (tiền |khoản )?(cho|vào) ${PERSON}`],
      ["(momo|zalopay|ví điện tử)"],
    ],
    negatable: true,
    cites: [
      { card: "gen-scam-safe-steps", doc: LAW, locator: "Điều 23 khoản 2" },
      { card: "gen-scam-safe-steps", doc: LAW, locator: "Điều 25 khoản 2" },
    ],
  },
  {
    id: "unlicensed_recruiter",
    severity: "strong",
    label: "Người tuyển không có giấy phép",
    explanation:
      "Chỉ công ty có giấy phép (giấy do Bộ Nội vụ cấp) mới được đưa người đi làm việc ở nước ngoài. Cá nhân, người quen không được nhận tuyển, thu tiền.",
    when: [
      [`${NEG} (cần )?(có )?(giấy phép|gp)`],
      [`${NEG} (cần )?(qua|thông qua|đi qua) (công ty|cty|doanh nghiệp)`],
      ["(mượn|thuê|mua) (giấy phép|pháp nhân|tên công ty)"],
      [`(người quen|cá nhân|họ hàng|bà con|hàng xóm) ${gap(2)}(nhận|lo|đưa|dẫn|tuyển|dắt) ${gap(2)}(đi|sang|hồ sơ|giấy tờ)`],
    ],
    negatable: false,
    cites: [
      { card: "law-company-only-licensed", doc: LAW, locator: "Điều 8 khoản 1" },
      { card: "law-company-only-licensed", doc: LAW, locator: "Điều 7 khoản 5" },
    ],
  },
  {
    id: "missing_licence_info",
    severity: "caution",
    label: "Không ghi tên công ty, số giấy phép",
    explanation: "Tin tuyển này không ghi tên công ty hay số giấy phép. Công ty có giấy phép phải công khai giấy phép ở trụ sở và trên trang web của mình.",
    // A recruitment offer with money or a contact, and no company or licence named anywhere.
    when: [
      // "tuyển" (the act of recruiting), not "đơn hàng": questions mention orders too.
      [
        "(tuyển|tuyển dụng|tuyển gấp|cần tuyển|tuyển lao động)",
        `(${MONEY}|lương|liên hệ|lh|zalo|inbox|ib|sđt|hotline)`,
      ],
    ],
    unless: ["(công ty|cty|tnhh|cổ phần|doanh nghiệp|giấy phép|gp|jsc|ltd|trung tâm lao động ngoài nước)"],
    negatable: false,
    cites: [{ card: "law-company-check-licence", doc: LAW, locator: "Điều 15" }],
  },
  {
    id: "tourist_visa",
    severity: "strong",
    label: "Đi visa du lịch rồi ở lại làm, hoặc đi chui",
    explanation: "Đi du lịch rồi ở lại làm, hay đi chui, không phải cách đi làm hợp pháp. Luật chỉ có ba cách đi làm việc ở nước ngoài hợp pháp.",
    when: [
      // Not "dạng": unaccented "dang du lich" is "đang du lịch".
      ["(visa|thị thực|diện) (du lịch|thăm thân)"],
      [`(visa|thị thực) (công tác|thương mại) ${gap(5)}(làm|làm việc|ở lại|trốn)`],
      [`du lịch ${gap(5)}(ở lại|trốn|bỏ trốn|làm chui|rồi làm|đi làm|sang làm|xin việc|lao động)`],
      ["(bỏ trốn|trốn ra ngoài|làm chui|đi chui|lao động chui|vượt biên|xuất cảnh trái phép)"],
    ],
    negatable: true,
    cites: [
      { card: "gen-scam-tourist-visa", doc: LAW, locator: "Điều 5" },
      { card: "gen-scam-tourist-visa", doc: LAW, locator: "Điều 7 khoản 1" },
    ],
  },
  {
    id: "eps_impersonation",
    severity: "strong",
    label: "Nhận “lo suất” EPS đi Hàn",
    explanation:
      "EPS do Trung tâm Lao động ngoài nước của Nhà nước làm, không qua môi giới. Người lao động tự thi tiếng Hàn, không ai “lo” được suất.",
    when: [
      [
        "(eps|e9|e 9|trung tâm lao động ngoài nước|colab)",
        [
          "(lo|chạy|mua|xin|có) (được )?(suất|điểm|chỉ tiêu)",
          `(quen|quen biết|người nhà|người quen|có người|quan hệ|cửa sau|cán bộ|sếp) ${gap(3)}(trung tâm|bộ|sở|cục|eps|colab)`,
          "bao (đậu|đỗ)",
          `${NEG} (cần )?(thi|học tiếng)`,
          `${PAY} ${gap(3)}(cho|qua) (anh|chị|em|tôi|mình|chú|cô|người|môi giới)`,
          "(qua|thông qua) (môi giới|công ty|cty|trung gian|người quen)",
          "(tiền|phí) (chạy|lo|bồi dưỡng|cảm ơn|môi giới)",
          "suất (ngoại lệ|đặc biệt|ưu tiên|riêng)",
        ].join("|"),
      ],
      [
        "(hàn|hàn quốc)",
        [
          "(lo|chạy|mua) (được )?(suất|điểm|chỉ tiêu)",
          `(quen|người nhà|cán bộ|người của) ${gap(2)}(trung tâm lao động ngoài nước|trung tâm|bộ)`,
          "suất (ngoại lệ|đặc biệt|riêng)",
        ].join("|"),
      ],
    ],
    negatable: false,
    cites: [
      { card: "gen-scam-eps-impersonation", doc: LAW, locator: "Điều 5 khoản 1" },
      { card: "gen-scam-eps-impersonation", doc: LAW, locator: "Điều 7 khoản 1" },
    ],
  },
  {
    id: "brokerage_fee",
    severity: "strong",
    label: "Đòi tiền môi giới",
    explanation: "Tiền môi giới (tiền trả cho người trung gian) không ai được thu của người lao động. Luật cấm hoàn toàn.",
    when: [
      ["(tiền|phí|chi phí|khoản) (môi giới|giới thiệu|chạy đơn|chạy việc|chạy suất|lót tay|bôi trơn|hoa hồng)"],
      [`môi giới ${gap(3)}(thu|đòi|lấy|bắt) ${gap(2)}(tiền|phí)`],
      [`(nộp|đóng|trả|đưa) ${gap(2)}(cho )?(người )?môi giới`],
      ["(tiền|phí) (chạy|lo) (đơn|việc|suất|visa)"],
    ],
    negatable: true,
    cites: [{ fact: "brokerage.fromWorker" }],
  },
  {
    id: "selection_fee",
    severity: "strong",
    label: "Thu phí tuyển chọn, tiền giữ chỗ",
    explanation: "Công ty phải tự tuyển chọn và không được thu phí tuyển chọn. Không ai được lấy cớ tạo nguồn, giữ chỗ để thu tiền.",
    when: [
      [
        "(phí|tiền|lệ phí) (tuyển chọn|tuyển dụng|phỏng vấn|giữ chỗ|giữ suất|đặt chỗ|chuẩn bị nguồn|tạo nguồn|xét tuyển|đăng ký đơn|vào đơn|chốt đơn|giữ đơn|xếp đơn|sơ tuyển)",
      ],
      ["giữ (chỗ|suất|đơn)", `(${PAY}|${MONEY})`],
    ],
    negatable: true,
    cites: [
      { card: "law-prohibited-selection-fee", doc: LAW, locator: "Điều 26 khoản 2 điểm b, c" },
      { card: "law-prohibited-selection-fee", doc: LAW, locator: "Điều 7 khoản 7" },
    ],
  },
  {
    id: "no_contract_or_papers",
    severity: "strong",
    label: "Nói không cần hợp đồng, giấy tờ",
    explanation: "Đi làm hợp pháp phải có hợp đồng bằng văn bản, ghi rõ tiền dịch vụ và các chi phí khác.",
    when: [
      [`${NEG} (cần|phải) (ký )?(hợp đồng|hđ|giấy tờ|hồ sơ|hộ chiếu|visa|lý lịch|sơ yếu lý lịch|thủ tục)`],
      ["chỉ cần (căn cước|cccd|cmnd|chứng minh)"],
    ],
    negatable: false,
    cites: [{ card: "gen-scam-red-flags", doc: LAW, locator: "Điều 21 khoản 2" }],
  },
  {
    id: "no_test_needed",
    severity: "caution",
    label: "Hứa không cần thi, không cần tiếng",
    explanation: "Lời hứa bỏ qua thi tuyển, thi tiếng thường là lời dụ. Luật cấm hứa hẹn sai sự thật để dụ người lao động.",
    when: [
      [`${NEG} (cần|phải) (thi|phỏng vấn|học tiếng|biết tiếng|tiếng|thi tiếng|ngoại ngữ)`],
      [`${NEG} (cần )?(biết|học) (tiếng|ngoại ngữ)`],
      ["(miễn|bỏ qua) (thi|phỏng vấn|tiếng)"],
    ],
    negatable: false,
    cites: [{ card: "gen-scam-red-flags", doc: LAW, locator: "Điều 7 khoản 1" }],
  },
  {
    id: "high_pay_no_contract",
    severity: "caution",
    label: "Hứa lương rất cao, không nói đến hợp đồng",
    explanation: "Hứa việc nhẹ lương cao mà không có hợp đồng ghi rõ là dấu hiệu cần cẩn thận. Luật cấm quảng cáo sai sự thật để dụ người lao động.",
    when: [
      [`(việc nhẹ|việc nhàn|nhàn|nhẹ nhàng) ${gap(3)}(lương|thu nhập) (cao|khủng|hậu hĩnh)`],
      ["(lương|thu nhập) (khủng|cực cao|siêu cao|rất cao|cao ngất|cao ngất ngưởng)"],
      [`(lương|thu nhập) cao ${gap(3)}${NEG} (cần )?(kinh nghiệm|bằng cấp|tiếng)`],
    ],
    unless: [CONTRACT],
    negatable: false,
    cites: [{ card: "money-penalty-false-ads-waiting", doc: LAW, locator: "Điều 7 khoản 1" }],
  },
  {
    id: "trafficking_risk",
    severity: "strong",
    label: "Việc ở Campuchia, Myanmar, sòng bạc vùng biên",
    explanation:
      "Lời mời kiểu này có thể là bẫy ép làm việc, mua bán người. Luật cấm lợi dụng việc đi làm việc ở nước ngoài để mua bán người, cưỡng bức lao động.",
    when: [
      [
        "(campuchia|cam pu chia|căm pu chia|cambodia|myanmar|mianma|miến điện|bavet|poipet|mộc bài|shwe kokko|tam giác vàng|(sang|qua|đi|ở|bên|nước) lào(?! (động|cai)))",
        "(sòng bạc|sòng bài|casino|cờ bạc|đánh bạc|online|chạy quảng cáo|telesale|tele sale|sale|chăm sóc khách hàng|cskh|nhập liệu|đánh máy|trực page|chat|game|việc nhẹ|lương cao|lương khủng|bao ăn ở|bao ăn|bao vé|bao đi lại|bao máy bay|miễn phí vé|không cần kinh nghiệm|không cần bằng cấp|không cần tiếng)",
      ],
      [
        "(sòng bạc|sòng bài|casino|đánh bạc|cờ bạc|lừa đảo online|lừa đảo qua mạng)",
        "(biên giới|nước ngoài|sang|bên kia|xuất cảnh|visa|lương)",
      ],
    ],
    negatable: false,
    cites: [{ card: "gen-scam-trafficking-hotline-111", doc: LAW, locator: "Điều 7 khoản 1" }],
  },
  {
    id: "border_illegal_work",
    severity: "caution",
    label: "Rủ sang Trung Quốc làm thuê, đi chui",
    explanation:
      "Sang làm ngoài chương trình được Nhà nước cho phép là lao động bất hợp pháp. Bạn không được hợp đồng bảo vệ, dễ bị lừa, bị quỵt lương.",
    when: [
      [
        "(trung quốc|tq|bên kia biên giới|sang bên kia|qua bên kia)",
        `(làm thuê|làm chui|đi chui|đường mòn|lối mở|vượt biên|chặt mía|bốc vác|${NEG} (cần )?(hộ chiếu|visa|giấy tờ))`,
      ],
    ],
    negatable: false,
    cites: [
      { card: "prog-china-border-illegal-work", doc: LAW, locator: "Điều 7 khoản 1" },
      { card: "prog-china-border-illegal-work", doc: LAW, locator: "Điều 7 khoản 2" },
    ],
  },
  {
    id: "extra_security",
    severity: "strong",
    label: "Đòi giữ hộ chiếu, sổ đỏ, tiền cọc",
    explanation: "Ngoài ký quỹ hoặc người bảo lãnh, không ai được bắt bạn đặt cọc, thế chấp hay giao giấy tờ để làm tin.",
    when: [
      [`(giữ|cầm|giữ hộ|giữ giùm|thu giữ) ${gap(1)}(hộ chiếu|căn cước|cccd|cmnd|sổ đỏ|sổ hồng|bằng gốc|giấy tờ gốc|bản gốc)`],
      [`thế chấp ${gap(2)}(sổ đỏ|sổ hồng|nhà|đất|tài sản)`],
      [`(sổ đỏ|sổ hồng) ${gap(3)}(làm tin|giữ|cầm|thế chấp)`],
      ["(đặt cọc|tiền cọc|cọc trước|làm tin)"],
      ["(chuyển|nộp|đóng|gửi|đưa) cọc"],
    ],
    negatable: true,
    cites: [{ card: "law-prohibited-extra-security", doc: LAW, locator: "Điều 7 khoản 10" }],
  },
  {
    id: "too_fast",
    severity: "caution",
    label: "Hứa bay ngay, làm hồ sơ quá nhanh",
    explanation: "Công ty chỉ được đưa người đi khi đơn hàng đã được đăng ký, chấp thuận. Hứa bay ngay là dấu hiệu cần hỏi kỹ.",
    when: [
      ["(bay|xuất cảnh) (ngay|gấp|liền|luôn)"],
      [`(bay|xuất cảnh|có visa) (sau|trong|chỉ|chỉ sau) ${gap(1)}(${NUM}|một|hai|ba) (ngày|tuần)`],
      [`(cấp tốc|siêu tốc|siêu nhanh) ${gap(2)}(bay|xuất cảnh|visa|hồ sơ)`],
    ],
    negatable: true,
    cites: [{ card: "gen-scam-red-flags", doc: LAW, locator: "Điều 20 khoản 1" }],
  },
];

// ---------------------------------------------------------------------------------------
// Citations and compiled rules (per knowledge base)
// ---------------------------------------------------------------------------------------

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

function escapeLocator(locator: string): RegExp {
  return new RegExp(`^${escapeRe(locator)}$`);
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
      citations.push(...citeCard(kb, ref.card, escapeLocator(ref.locator), ref.doc));
      cardId ??= ref.card;
      confirmWith ??= cardConfirmWith(kb, ref.card) ?? null;
    }
  }
  return { citations, cardId, confirmWith };
}

function mentionsPolice(kb: KnowledgeBase, cardId: string): boolean {
  const card = kb.cards.find((c) => c.meta.id === cardId);
  return !!card && card.nextSteps.some((s) => /cong an xa, phuong/.test(fold(s)));
}

const compiledCache = new WeakMap<KnowledgeBase, Compiled>();

/** Rules with their citations resolved against this knowledge; throws early on a broken citation. */
function compile(kb: KnowledgeBase): Compiled {
  const cached = compiledCache.get(kb);
  if (cached) return cached;
  const rules = RULES.map((rule): CompiledRule => {
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
      police: mentionsPolice(kb, "gen-scam-red-flags")
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

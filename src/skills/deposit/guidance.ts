/**
 * `depositGuidance`: how much deposit (tiền ký quỹ) a worker may be asked for, where the
 * money must be kept and how it comes back. Decided by code from `knowledge/facts/`
 * (worker-deposit.yaml, eps.yaml, penalties.yaml, misc.yaml); rules without a number are
 * cited from the cards that state them. No legal figure is written in this file.
 *
 * Destinations are read by market.ts; the shared answer helpers live in common.ts.
 *
 * @example
 * depositGuidance(kb, { market: "dai loan", job: "nhà máy", amountAsked: "30tr" });
 * // result.cap.value 12000000, result.comparison { kind: "above", overBy: 18000000, … }
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Fact } from "../../knowledge/schema.ts";
import { fold } from "../../text/normalize.ts";
import { isMonths, parseAmount, type ParsedAmount } from "../../text/amount.ts";
import { citeFact, citeRule, confirmWith, factById, inForce, officeType } from "../../knowledge/cite.ts";
import { composeAnswer, safeEcho, type AnswerLine, type ToolAnswer } from "../answer.ts";
import { formatDate, formatMonths, formatVnd, isoToday, ISO_DATE_RE, viNumber } from "../../text/wording.ts";
import type { Market } from "../../knowledge/markets.ts";

// ---------------------------------------------------------------------------------------
// Markets, as the deposit table groups them
// ---------------------------------------------------------------------------------------

/** A row of the deposit table: the applies_to.market of worker-deposit caps ("taiwan", "southeast_asia", "other"). */
export type MarketRegion = string;
/** The deposit table's row for countries it does not name. */
const OTHER_REGION = "other";

export interface ParsedMarket {
  region: MarketRegion;
  /** Plain Vietnamese name of what was recognised ("Đức", "Malaysia", "Hàn Quốc"). */
  name: string;
  /** The text named the EPS programme (Korea, government route). */
  eps: boolean;
}

const regionCache = new WeakMap<KnowledgeBase, Set<string>>();

/** The deposit table's row for a destination market: its first fact market that has a cap. */
export function depositRegion(kb: KnowledgeBase, market: Market): MarketRegion {
  let rows = regionCache.get(kb);
  if (!rows) regionCache.set(kb, (rows = new Set(kb.facts.filter((f) => f.id.startsWith(DEPOSIT_FACTS.capPrefix)).map((f) => f.applies_to?.market ?? OTHER_REGION))));
  return kb.markets.factMarkets(market).find((m) => rows.has(m)) ?? OTHER_REGION;
}

/**
 * The destination named in the text, as the deposit table groups it (see market.ts).
 *
 * @example
 * parseMarket("di nhat");     // { region: "japan", name: "Nhật Bản", eps: false }
 * parseMarket("Germany");     // { region: "other", name: "Đức", eps: false }
 */
export function parseMarket(kb: KnowledgeBase, text: string | undefined | null): ParsedMarket | undefined {
  const d = kb.markets.destination(text);
  return d && { region: depositRegion(kb, d.market), name: d.name, eps: d.eps };
}

// ---------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------

/** The job groups the deposit facts distinguish (applies_to.job; "all" matches both). */
export type DepositJob = "farfishing_or_transport_crew" | "other";
/** The deposit table's job group for far-sea fishing and transport-ship crew. */
export const CREW_DEPOSIT_JOB = "farfishing_or_transport_crew";

const CREW_RE =
  /\b(thuyen vien|thuy thu|tau ca|danh ca|danh bat|xa bo|tau van tai|tau bien|tau hang|crew|seafarer|sailor|seaman|fishing|fisherman|far sea|deep sea|transport ship|cargo ship)\b/;
const NEAR_SHORE_RE = /\b(gan bo|ven bo|near ?shore|e ?10)\b/;

/**
 * The job group: far-sea fishing or transport-ship crew, or any other job. Near-shore
 * fishing ("tàu cá gần bờ") is not crew in the deposit table.
 */
export function parseJob(text: string | undefined | null): { job: DepositJob; nearShore: boolean } {
  const f = fold(text ?? "").replace(/[^a-z0-9 ]+/g, " ").replace(/\s+/g, " ");
  const nearShore = NEAR_SHORE_RE.test(f);
  if (nearShore) return { job: "other", nearShore };
  return { job: CREW_RE.test(f) ? "farfishing_or_transport_crew" : "other", nearShore };
}

// ---------------------------------------------------------------------------------------
// The tool
// ---------------------------------------------------------------------------------------

/** Fact ids the tool reads (the figures themselves live in knowledge/facts/). */
export const DEPOSIT_FACTS = {
  capPrefix: "workerDepositCap.",
  epsAmount: "eps.deposit.amount",
  epsDeadlineDays: "eps.deposit.paymentDeadlineDays",
  epsTermMonths: "eps.deposit.termMonths",
  epsLoanMax: "eps.depositLoan.max",
  overstayMin: "penalties.worker.overstay.min",
  overstayMax: "penalties.worker.overstay.max",
  companyFineMin: "penalties.company.depositOrientationContract.min",
  companyFineMax: "penalties.company.depositOrientationContract.max",
  liquidationDays: "company.contractLiquidationDays",
} as const;

/** Cards whose rules (no numbers) the answers cite. */
const CARDS = {
  whatIs: "money-deposit-what-is",
  when: "money-deposit-when",
  refund: "money-deposit-refund",
  noDeposit: "money-deposit-no-deposit-markets",
  other: "money-deposit-other-countries",
  taiwan: "money-deposit-taiwan",
  korea: "money-deposit-korea",
  epsAmount: "prog-eps-deposit-amount",
  epsRefund: "prog-eps-deposit-refund-forfeit",
} as const;

export const depositInputSchema = z.object({
  market: z
    .string()
    .describe("Destination as the worker typed it: Japan, Korea, Taiwan, EPS, Germany, Europe, Middle East, Malaysia… (Vietnamese with or without diacritics, or English)"),
  job: z.string().optional().describe("The job, e.g. 'far-sea fishing crew', 'thuyền viên tàu vận tải', 'nhà máy'"),
  route: z
    .enum(["company", "eps", "direct"])
    .optional()
    .describe("company = through a licensed service company; eps = Korea EPS programme; direct = contract signed directly with the employer"),
  amountAsked: z
    .union([z.number().nonnegative(), z.string()])
    .optional()
    .describe("Deposit the worker is asked for: a number in VND or text as typed ('15tr', '15 triệu', '15.000.000', '$500')"),
  asOf: z.string().regex(ISO_DATE_RE, "YYYY-MM-DD").optional().describe("Date the rules apply to (default today)"),
});
export type DepositGuidanceInput = z.input<typeof depositInputSchema>;

export interface DepositCap {
  factId: string;
  value: number;
  unit: Fact["unit"];
  /** "cap": the most a company may agree; "fixed": the EPS deposit set by the programme. */
  kind: "cap" | "fixed";
  /** The fact's label: who and which market it covers. */
  label: string;
  /** The amount as plain words ("12 triệu đồng", "giá 1 lượt vé máy bay hạng phổ thông…"). */
  phrase: string;
}

export type DepositComparison =
  | { kind: "within"; amount: number; cap: number }
  | { kind: "at_cap"; amount: number; cap: number }
  | { kind: "above"; amount: number; cap: number; overBy: number }
  /** The cap is a ticket price: the worker must compare with the fare. */
  | { kind: "needs_ticket_price"; amount: number }
  /** A foreign currency: no exchange rate in the knowledge, ask for đồng. */
  | { kind: "needs_vnd"; value: number; currency: string }
  | { kind: "months_not_money"; months: number }
  | { kind: "unreadable"; text: string };

export type DepositMissing = "market" | "amount_in_vnd" | "ticket_price" | "input";

export interface DepositGuidanceResult {
  asOf: string;
  market: { region: MarketRegion; name: string; recognised: boolean };
  job: DepositJob;
  route: "company" | "eps" | "direct";
  /** The rule for this market and job. */
  cap: DepositCap;
  /** Korea without a route: the other route's amount (EPS vs company). */
  alternatives: Array<{ route: "company" | "eps"; cap: DepositCap }>;
  /** The market has no figure of its own: the general rule for other countries applies. */
  generalRule: boolean;
  /** No deposit may be taken at all (cap 0). */
  noDepositAllowed: boolean;
  /** Where the money must be kept, when there is a deposit. */
  keptIn?: "blocked_bank_account_in_worker_name" | "social_policy_bank";
  comparison?: DepositComparison;
  missing: DepositMissing[];
}

export type DepositGuidanceOutput =
  | { status: "ok"; result: DepositGuidanceResult; answer: ToolAnswer }
  | { status: "need_info"; missing: DepositMissing[]; answer: ToolAnswer };

function capPhrase(f: Fact): string {
  if (f.unit === "economy_air_tickets") {
    return `tối đa bằng giá ${viNumber(f.value)} lượt vé máy bay hạng phổ thông (vé rẻ nhất) từ nơi làm việc về Việt Nam`;
  }
  if (f.unit === "VND") return f.value === 0 ? "0 đồng, tức là không phải ký quỹ" : formatVnd(f.value);
  return `${viNumber(f.value)} ${f.unit}`;
}

function toCap(f: Fact, kind: DepositCap["kind"]): DepositCap {
  return { factId: f.id, value: f.value, unit: f.unit, kind, label: f.label, phrase: capPhrase(f) };
}

/** Every worker-deposit cap fact in force on `date`. */
function depositCapFacts(kb: KnowledgeBase, date: string): Fact[] {
  return kb.facts.filter((f) => f.id.startsWith(DEPOSIT_FACTS.capPrefix) && inForce(f, date));
}

/**
 * The cap fact for a region, job and route (company by default): a named job beats "all".
 * The one deposit-cap selector: the fee check uses it too.
 */
export function selectDepositCap(
  kb: KnowledgeBase, region: MarketRegion, job: DepositJob, date: string, route: "company" | "eps" | "direct" = "company",
): Fact | undefined {
  const rank = (f: Fact) => (f.applies_to?.job === job ? 0 : 1);
  return depositCapFacts(kb, date)
    .filter((f) => {
      const a = f.applies_to ?? {};
      return a.market === region && (a.job === job || a.job === "all") && (!a.route || a.route === route);
    })
    .sort((a, b) => rank(a) - rank(b))[0];
}

function factIfInForce(kb: KnowledgeBase, id: string, date: string): Fact | undefined {
  const f = factById(kb, id);
  return inForce(f, date) ? f : undefined;
}

function compare(amount: ParsedAmount | undefined, raw: unknown, cap: DepositCap): DepositComparison {
  if (amount === undefined) return { kind: "unreadable", text: typeof raw === "string" ? raw : String(raw) };
  if (isMonths(amount)) return { kind: "months_not_money", months: amount.months };
  if (amount.currency !== "VND") return { kind: "needs_vnd", value: amount.value, currency: amount.currency };
  const value = Math.round(amount.value);
  if (cap.unit === "economy_air_tickets") return { kind: "needs_ticket_price", amount: value };
  if (value > cap.value) return { kind: "above", amount: value, cap: cap.value, overBy: value - cap.value };
  if (value === cap.value) return { kind: "at_cap", amount: value, cap: cap.value };
  return { kind: "within", amount: value, cap: cap.value };
}

function needInfo(kb: KnowledgeBase, missing: DepositMissing[], question: string): DepositGuidanceOutput {
  const lines: AnswerLine[] = [
    { text: question, priority: 1, cites: [] },
    {
      text: "Mức ký quỹ (tiền gửi giữ ở ngân hàng để bảo đảm bạn làm đúng hợp đồng) khác nhau theo từng nước và từng nghề.",
      priority: 1,
      cites: [citeRule(kb, "workerDeposit.agreedInContract")],
    },
  ];
  return { status: "need_info", missing, answer: composeAnswer(lines, "") };
}

/** Plain-words reading of the zod issues, in Vietnamese. */
function inputProblem(error: z.ZodError): string {
  const fields = new Set(error.issues.map((i) => String(i.path[0] ?? "")));
  const parts: string[] = [];
  if (fields.has("market")) parts.push("bạn định đi làm việc ở nước nào");
  if (fields.has("amountAsked")) parts.push("số tiền công ty đòi ký quỹ (ví dụ 15 triệu đồng)");
  if (fields.has("route")) parts.push("bạn đi qua công ty dịch vụ, theo Chương trình EPS hay tự ký hợp đồng");
  if (fields.has("asOf")) parts.push("ngày cần xem, viết theo dạng năm-tháng-ngày (ví dụ 2026-11-22)");
  if (fields.has("job")) parts.push("bạn làm nghề gì");
  return `Mình chưa hiểu đủ thông tin. Bạn cho mình biết: ${parts.length > 0 ? parts.join("; ") : "nước đến và số tiền ký quỹ"}.`;
}

/** How much deposit, kept where, returned how. Pure, synchronous; never throws on bad input. */
export function depositGuidance(kb: KnowledgeBase, rawInput: DepositGuidanceInput): DepositGuidanceOutput {
  const parsed = depositInputSchema.safeParse(rawInput ?? {});
  if (!parsed.success) return needInfo(kb, ["input"], inputProblem(parsed.error));
  const input = parsed.data;
  const date = input.asOf ?? isoToday();
  if (!input.market.trim()) {
    return needInfo(kb, ["market"], "Bạn định đi làm việc ở nước nào (ví dụ Nhật Bản, Hàn Quốc, Đài Loan, Đức), và làm nghề gì?");
  }

  const market = parseMarket(kb, input.market);
  const region: MarketRegion = market?.region ?? OTHER_REGION;
  const { job, nearShore } = parseJob(`${input.job ?? ""} ${input.market}`);
  const epsFact = factIfInForce(kb, DEPOSIT_FACTS.epsAmount, date);
  const epsMarket = epsFact?.applies_to?.market;
  const wantsEps = input.route === "eps" || market?.eps === true;
  const isEps = wantsEps && region === epsMarket && epsFact !== undefined;
  const route: DepositGuidanceResult["route"] = isEps ? "eps" : input.route === "direct" ? "direct" : "company";

  const capFact = isEps ? epsFact : selectDepositCap(kb, region, job, date);
  if (!capFact) {
    return needInfo(kb, ["input"], `Mình chưa có mức ký quỹ áp dụng cho ngày ${formatDate(date)}. Bạn hỏi về thời điểm hiện nay nhé?`);
  }
  const cap = toCap(capFact, isEps ? "fixed" : "cap");
  const alternatives: DepositGuidanceResult["alternatives"] = [];
  if (region === epsMarket && input.route === undefined && !isEps && epsFact) alternatives.push({ route: "eps", cap: toCap(epsFact, "fixed") });

  const generalRule = region === "other";
  const noDepositAllowed = !isEps && cap.unit === "VND" && cap.value === 0;
  const missing: DepositMissing[] = [];
  const amount = input.amountAsked === undefined ? undefined : parseAmount(input.amountAsked);
  const comparison = input.amountAsked === undefined ? undefined : compare(amount, input.amountAsked, cap);
  if (comparison?.kind === "needs_vnd" || comparison?.kind === "months_not_money" || comparison?.kind === "unreadable") missing.push("amount_in_vnd");
  if (comparison?.kind === "needs_ticket_price") missing.push("ticket_price");

  const result: DepositGuidanceResult = {
    asOf: date,
    market: { region, name: market?.name ?? kb.markets.groupName(OTHER_REGION), recognised: market !== undefined },
    job,
    route,
    cap,
    alternatives,
    generalRule,
    noDepositAllowed,
    keptIn: isEps ? "social_policy_bank" : noDepositAllowed ? undefined : "blocked_bank_account_in_worker_name",
    comparison,
    missing,
  };

  const lines = isEps ? epsLines(kb, date, cap, comparison) : companyLines(kb, date, input, result, nearShore);
  if (wantsEps && !isEps) {
    lines.splice(1, 0, { text: `Chương trình EPS chỉ dành cho người đi ${kb.markets.nameOf(epsMarket ?? "")}.`, priority: 2, cites: epsFact ? [citeFact(epsFact)] : [] });
  }
  const confirmCard = isEps ? CARDS.epsAmount : region === "taiwan" ? CARDS.taiwan : region === "korea" ? CARDS.korea : region === "other" ? CARDS.other : CARDS.noDeposit;
  const who = confirmWith(kb, confirmCard) ?? officeType(kb, "home_affairs_department").name;
  const hedge = isEps
    ? `Thông tin ký quỹ EPS lấy từ nguồn thứ cấp, chưa đối chiếu văn bản gốc. Hãy hỏi lại ${who}.`
    : `Lưu ý: bảng mức ký quỹ lấy từ bản chép lại phụ lục của nghị định, chưa đối chiếu bản gốc, và nghị định đã được sửa đổi. Hãy hỏi lại ${who}.`;
  return { status: "ok", result, answer: composeAnswer(lines, hedge) };
}

function companyLines(
  kb: KnowledgeBase,
  date: string,
  input: z.output<typeof depositInputSchema>,
  r: DepositGuidanceResult,
  nearShore: boolean,
): AnswerLine[] {
  const capFact = factById(kb, r.cap.factId);
  const lines: AnswerLine[] = [];
  const home = officeType(kb, "home_affairs_department");

  if (!r.market.recognised) {
    const typed = safeEcho(input.market);
    lines.push({ text: `Mình chưa nhận ra nước${typed ? ` "${typed}"` : " bạn nêu"}. Dưới đây là quy tắc chung; bạn cho biết tên nước để mình trả lời chắc hơn.`, priority: 1, cites: [] });
    lines.push(...generalTable(kb, date, r.job));
  } else if (r.generalRule) {
    lines.push({ text: `${r.market.name} không có mức riêng trong bảng ký quỹ, nên áp dụng mức chung cho các nước khác.`, priority: 1, cites: [citeFact(capFact)] });
  } else if (kb.markets.isGroup(r.market.region) && r.market.name !== kb.markets.groupName(r.market.region)) {
    lines.push({ text: `${r.market.name} thuộc nhóm ${kb.markets.groupName(r.market.region)} trong bảng ký quỹ.`, priority: 2, cites: [citeFact(capFact)] });
  }
  if (r.market.recognised || r.job === "farfishing_or_transport_crew") {
    lines.push({ text: `${capFact.label}: ${r.cap.phrase}.`, priority: 1, cites: [citeFact(capFact)] });
  }
  if (nearShore) {
    lines.push({ text: "Làm trên tàu cá gần bờ không thuộc diện thuyền viên tàu cá xa bờ, nên áp dụng mức của nghề khác.", priority: 2, cites: [citeFact(capFact)] });
  }
  for (const alt of r.alternatives) {
    const f = factById(kb, alt.cap.factId);
    const bank = officeType(kb, "social_policy_bank");
    lines.push({ text: `Nếu đi theo Chương trình EPS (Nhà nước đưa đi), có khoản ký quỹ riêng: ${alt.cap.phrase}, nộp tại ${bank.name} nơi bạn thường trú.`, priority: 1, cites: [citeFact(f)] });
  }
  if (r.route === "direct") {
    lines.push({ text: `Bảng mức này dành cho người đi qua công ty dịch vụ. Bạn tự ký hợp đồng với chủ nước ngoài, nên trước khi nộp bất kỳ khoản ký quỹ nào, hãy hỏi ${home.name} nơi bạn ở.`, priority: 1, cites: [citeRule(kb, "workerDeposit.purpose"), home.citation] });
  }

  // The amount asked.
  const c = r.comparison;
  if (c) lines.push(...comparisonLines(kb, date, c, r, home.name));

  if (r.noDepositAllowed) {
    lines.push({ text: "Công ty không được đòi tiền cọc, tiền ký quỹ hay giữ giấy tờ, tài sản của bạn để bảo đảm. Nếu bị đòi, đừng nộp.", priority: 1, cites: [citeRule(kb, "worker.noOtherSecurity")] });
    lines.push({ text: `Giữ tin nhắn, giấy tờ đòi tiền và báo ${home.name} nơi bạn ở.`, priority: 2, cites: [home.citation] });
    return lines;
  }

  lines.push({
    text: "Tiền ký quỹ phải gửi vào tài khoản phong tỏa (tài khoản bị khóa, không ai rút được khi chưa đủ điều kiện) đứng tên chính bạn ở ngân hàng. Không đưa tiền mặt cho công ty hay nhân viên công ty.",
    priority: 1,
    cites: [citeRule(kb, "workerDeposit.blockedAccount")],
  });
  lines.push({
    text: "Chỉ ký quỹ sau khi đã ký hợp đồng với công ty và phía nước ngoài đã nhận bạn hoặc bạn đã có thị thực (visa), theo hợp đồng ký quỹ ba bên giữa bạn, công ty và ngân hàng.",
    priority: 3,
    cites: [citeRule(kb, "workerDeposit.beforeContract")],
  });
  const liquidation = factIfInForce(kb, DEPOSIT_FACTS.liquidationDays, date);
  lines.push({
    text: "Khi thanh lý hợp đồng (hai bên chốt lại hợp đồng lúc kết thúc), bạn được trả lại cả tiền gốc và tiền lãi. Công ty chỉ được trừ phần thiệt hại do lỗi của bạn, và phải ghi rõ trong biên bản thanh lý.",
    priority: 2,
    cites: [citeRule(kb, "workerDeposit.refund")],
  });
  if (liquidation) {
    lines.push({ text: `Công ty phải thanh lý hợp đồng trong vòng ${viNumber(liquidation.value)} ngày sau khi hợp đồng lao động ở nước ngoài kết thúc.`, priority: 3, cites: [citeFact(liquidation)] });
  }
  return lines;
}

function comparisonLines(kb: KnowledgeBase, date: string, c: DepositComparison, r: DepositGuidanceResult, homeName: string): AnswerLine[] {
  const capCites = [citeFact(factById(kb, r.cap.factId))];
  const out: AnswerLine[] = [];
  switch (c.kind) {
    case "above": {
      const alt = r.alternatives[0];
      const viaCompany = alt && c.amount <= alt.cap.value;
      const text = r.noDepositAllowed
        ? `Công ty đòi ${formatVnd(c.amount)} là trái quy định: đi ${r.market.name} không được thu ký quỹ.`
        : viaCompany
          ? `Nếu bạn đi qua công ty, số tiền ${formatVnd(c.amount)} cao hơn mức tối đa ${formatVnd(c.cap)} là ${formatVnd(c.overBy)}. Hãy hỏi rõ bạn đi qua công ty hay theo EPS.`
          : `Số tiền ${formatVnd(c.amount)} cao hơn mức tối đa ${formatVnd(c.cap)} là ${formatVnd(c.overBy)}. Đừng nộp phần vượt mức.`;
      out.push({ text, priority: 1, cites: viaCompany ? [...capCites, citeFact(factById(kb, alt.cap.factId))] : capCites });
      const min = factIfInForce(kb, DEPOSIT_FACTS.companyFineMin, date);
      const max = factIfInForce(kb, DEPOSIT_FACTS.companyFineMax, date);
      if (min && max) {
        out.push({ text: `Công ty thu ký quỹ cao hơn mức cho phép có thể bị phạt từ ${formatVnd(min.value)} đến ${formatVnd(max.value)} cho mỗi người lao động. Hãy báo ${homeName} nơi bạn ở.`, priority: 2, cites: [citeFact(min), citeFact(max)] });
      }
      break;
    }
    case "at_cap":
      out.push({ text: `Số tiền ${formatVnd(c.amount)} đúng bằng mức tối đa, không vượt quy định.`, priority: 1, cites: capCites });
      break;
    case "within":
      out.push({ text: `Số tiền ${formatVnd(c.amount)} không vượt mức tối đa ${formatVnd(c.cap)}.`, priority: 1, cites: capCites });
      break;
    case "needs_ticket_price":
      out.push({ text: `Để biết ${formatVnd(c.amount)} có vượt mức không, hãy hỏi công ty giá một lượt vé máy bay hạng phổ thông từ nơi làm việc về Việt Nam. Ký quỹ cao hơn giá vé đó là quá mức.`, priority: 1, cites: capCites });
      break;
    case "needs_vnd":
      out.push({ text: `Bạn ghi số tiền bằng ngoại tệ (${viNumber(c.value)} ${c.currency}). Mình không có tỷ giá, nên cần thêm thông tin: bạn cho biết số tiền này bằng bao nhiêu đồng, hoặc tỷ giá công ty tính.`, priority: 1, cites: capCites });
      break;
    case "months_not_money":
      out.push({ text: "Mức ký quỹ tính bằng tiền, không tính bằng tháng lương. Bạn cho mình biết số tiền công ty đòi bằng đồng nhé.", priority: 1, cites: capCites });
      break;
    case "unreadable":
      out.push({ text: "Mình chưa đọc được số tiền. Bạn ghi lại giúp, ví dụ 15 triệu hoặc 15.000.000 đồng.", priority: 1, cites: capCites });
      break;
  }
  return out;
}

/** The whole table in a few words, for a destination we did not recognise. */
function generalTable(kb: KnowledgeBase, date: string, job: DepositJob): AnswerLine[] {
  if (job === "farfishing_or_transport_crew") return [];
  const all = depositCapFacts(kb, date);
  const facts = all.filter((f) => f.applies_to?.job !== "farfishing_or_transport_crew");
  const zero = facts.filter((f) => f.unit === "VND" && f.value === 0);
  const zeroNames = zero.map((f) => kb.markets.groupName(f.applies_to?.market ?? OTHER_REGION));
  const out: AnswerLine[] = [];
  if (zero.length > 0) {
    out.push({ text: `Không phải ký quỹ (0 đồng) khi đi: ${zeroNames.join(", ")}.`, priority: 1, cites: zero.map(citeFact) });
  }
  for (const f of facts.filter((x) => !zero.includes(x))) {
    const where = kb.markets.groupName(f.applies_to?.market ?? OTHER_REGION);
    const via = f.applies_to?.route === "company" ? " qua công ty" : "";
    out.push({ text: `Đi ${where}${via}: ${f.unit === "VND" ? `tối đa ${capPhrase(f)}` : capPhrase(f)}.`, priority: f.applies_to?.market === "other" ? 1 : 2, cites: [citeFact(f)] });
  }
  const crew = facts.length > 0 ? all.find((f) => f.applies_to?.market === "other" && f.applies_to?.job === "farfishing_or_transport_crew") : undefined;
  if (crew) out.push({ text: "Thuyền viên tàu cá xa bờ, tàu vận tải: không phải ký quỹ.", priority: 3, cites: [citeFact(crew)] });
  return out;
}

function epsLines(kb: KnowledgeBase, date: string, cap: DepositCap, c: DepositComparison | undefined): AnswerLine[] {
  const amount = factById(kb, cap.factId);
  const deadline = factIfInForce(kb, DEPOSIT_FACTS.epsDeadlineDays, date);
  const term = factIfInForce(kb, DEPOSIT_FACTS.epsTermMonths, date);
  const loan = factIfInForce(kb, DEPOSIT_FACTS.epsLoanMax, date);
  const overMin = factIfInForce(kb, DEPOSIT_FACTS.overstayMin, date);
  const overMax = factIfInForce(kb, DEPOSIT_FACTS.overstayMax, date);
  const bank = officeType(kb, "social_policy_bank");
  const centre = officeType(kb, "eps_centre");
  const lines: AnswerLine[] = [];

  lines.push({ text: `Đi Hàn Quốc theo Chương trình EPS, tiền ký quỹ (tiền gửi giữ ở ngân hàng để bảo đảm bạn làm đúng hợp đồng và về nước đúng hạn) là ${cap.phrase}.`, priority: 1, cites: [citeFact(amount)] });
  const when = deadline ? `, trong ${viNumber(deadline.value)} ngày kể từ khi ký hợp đồng với ${centre.name}` : "";
  lines.push({ text: `Bạn tự nộp tại ${bank.name} nơi bạn thường trú${when}. Không đưa tiền ký quỹ qua người trung gian.`, priority: 1, cites: [citeFact(amount), ...(deadline ? [citeFact(deadline)] : [])] });
  if (term) lines.push({ text: `Tiền được gửi trong ${formatMonths(term.value)}.`, priority: 3, cites: [citeFact(term)] });

  if (c) {
    const cites = [citeFact(amount)];
    if (c.kind === "above") lines.push({ text: `Số tiền ${formatVnd(c.amount)} cao hơn mức ký quỹ EPS ${formatVnd(c.cap)} là ${formatVnd(c.overBy)}. Đừng nộp phần chênh lệch; hỏi lại ${centre.name}.`, priority: 1, cites });
    else if (c.kind === "at_cap") lines.push({ text: `Số tiền ${formatVnd(c.amount)} đúng bằng mức ký quỹ EPS.`, priority: 1, cites });
    else if (c.kind === "within") lines.push({ text: `Số tiền ${formatVnd(c.amount)} thấp hơn mức ký quỹ EPS (${formatVnd(c.cap)}); hãy hỏi lại ${centre.name} mức đang áp dụng.`, priority: 1, cites });
    else if (c.kind === "needs_vnd") lines.push({ text: `Bạn ghi số tiền bằng ngoại tệ (${viNumber(c.value)} ${c.currency}). Ký quỹ EPS tính bằng đồng; bạn cho biết số tiền bằng đồng để so sánh.`, priority: 1, cites });
    else lines.push({ text: "Mình chưa đọc được số tiền. Bạn ghi lại giúp, ví dụ 90 triệu hoặc 90.000.000 đồng.", priority: 1, cites });
  }

  lines.push({ text: "Về nước đúng hạn, bạn được trả lại cả gốc và lãi. Nếu bỏ trốn hoặc ở lại trái phép, tiền ký quỹ bị dùng để bù thiệt hại.", priority: 1, cites: [citeFact(amount), citeRule(kb, "eps.deposit.refundOrForfeit")] });
  if (overMin && overMax) {
    lines.push({ text: `Người ở lại trái phép còn bị phạt từ ${formatVnd(overMin.value)} đến ${formatVnd(overMax.value)}.`, priority: 2, cites: [citeFact(overMin), citeFact(overMax)] });
  }
  if (loan) {
    lines.push({ text: `Nếu thiếu tiền, người thuộc nhóm được vay vốn đi làm việc ở nước ngoài có thể vay tối đa ${formatVnd(loan.value)} để ký quỹ, không cần tài sản bảo đảm (thế chấp).`, priority: 2, cites: [citeFact(loan)] });
  }
  return lines;
}

/** The LangChain tool: the optional LLM mode calls exactly this code. */
export function depositGuidanceTool(kb: KnowledgeBase) {
  return tool(async (input) => JSON.stringify(depositGuidance(kb, input)), {
    name: "deposit_guidance",
    description:
      "How much deposit (tiền ký quỹ) a Vietnamese worker going abroad may be asked for, by destination market, job and route (company, Korea EPS, direct contract); where the money must be kept; how it is refunded; and whether an amount the worker was asked for is above the legal cap. Answers in plain Vietnamese with citations.",
    schema: depositInputSchema,
  });
}

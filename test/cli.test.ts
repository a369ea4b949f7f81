import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { renderPlain } from "../src/channels/render.ts";
import type { Reply } from "../src/contract.ts";
import { runChannelContract, findChoice, type Seen } from "../src/testing/contracts/channel.ts";
import { ROOT, realEngine, sharedDataDir } from "./helpers.ts";

const TSX = join(ROOT, "node_modules/.bin/tsx");

function runAsk(args: string[], input: string, dataDir: string) {
  return spawnSync(TSX, ["src/cli/ask.ts", ...args], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: dataDir, STORE_URL: "memory://", LOG_LEVEL: "silent", LLM_PROVIDER: "" },
    timeout: 60_000,
  });
}

describe("npm run ask", () => {
  it("--json reads one question per line and prints one contract object per line", async () => {
      const input = "Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?\n\ngiá vàng hôm nay\nxin chào\n";
      const out = runAsk(["--json"], input, sharedDataDir());
      expect(out.status, out.stderr).toBe(0);
      const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expect(Object.keys(line).sort()).toEqual(["answer", "citations", "confident", "intent", "mode", "question"]);
        expect(line.mode).toBe("offline");
        expect(typeof line.answer).toBe("string");
        expect(typeof line.confident).toBe("boolean");
        for (const c of line.citations as Array<Record<string, unknown>>) {
          expect(Object.keys(c).sort()).toEqual(["doc", "locator", "status", "title"]);
          expect(["in_force", "superseded", "history"]).toContain(c.status);
        }
      }
      expect(lines[0]).toMatchObject({ intent: "qa" });
      expect((lines[0]!.citations as Array<{ doc: string }>)[0]?.doc).toBe("Kế hoạch Tỉnh ủy Lạng Sơn");
      expect(lines[0]!.answer).toContain("5.000");
      expect(lines[1]).toMatchObject({ question: "giá vàng hôm nay", intent: "out_of_scope", citations: [] });
      expect(lines[2]).toMatchObject({ intent: "greeting" });
  });

  it("prints a person-readable answer with its sources", async () => {
      const out = runAsk(["lang son muc tieu dua lao dong sang sung ta"], "", sharedDataDir());
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout).toContain("5.000");
      expect(out.stdout).toMatch(/Nguồn:\n- Kế hoạch Tỉnh ủy Lạng Sơn, Mục II, điểm 2/);
  });
});

// The command line as a channel: the engine's reply rendered as `npm run ask` prints it;
// picking a suggestion is typing its text.
runChannelContract(
  "command line",
  async (engine) => {
    const seen = (r: Reply): Seen => ({ text: renderPlain(r, engine.index.kb), choices: r.suggestions.map((s) => ({ label: s, payload: s })) });
    const say = async (user: string, text: string) => seen(await engine.handle({ channel: "cli", userId: user, text }));
    return { send: say, choose: (user, s, label) => say(user, findChoice(s, label).payload), close: async () => undefined };
  },
  { base: realEngine },
);

/**
 * A new market is a YAML edit: this test copies knowledge/ into a temporary folder, adds a
 * made-up market ("Xứ Thử", id `testland`) to markets.yaml with its own service-fee and
 * worker-deposit caps in facts/, and gets fee-check, deposit and registration behaviour for
 * it — with no change to src/. The market and its figures exist only in this test.
 */
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadKnowledge, type KnowledgeBase } from "../src/knowledge/load.ts";
import { checkFees } from "../src/skills/fee/check.ts";
import { depositGuidance } from "../src/skills/deposit/guidance.ts";
import { answerFeeSlot, startFeeDialog, nextFeeStep } from "../src/skills/fee/dialog.ts";
import { loadRegistrationPrompts, startRegistration, stepRegistration, type RegistrationState } from "../src/registration/form.ts";
import { KNOWLEDGE_DIR, PROMPTS_DIR, tempDir } from "./helpers.ts";

const TODAY = "2026-12-01";
const NOW = new Date("2026-12-01T08:00:00Z");

const MARKET = {
  id: "testland",
  name: "Xứ Thử",
  fact_markets: ["testland", "other"],
  register: "Xứ Thử",
  fee_button: "Xứ Thử",
  places: [{ name: "Xứ Thử", phrases: ["xứ thử", "testland"] }],
  patterns: ["\\b(xu thu|testland)\\b"],
};

const FACTS = [
  {
    id: "serviceFeeCap.testland.all.per12",
    label: "Tiền dịch vụ tối đa cho mỗi 12 tháng với lao động đi Xứ Thử (dữ liệu thử)",
    value: 0.5,
    unit: "months_salary_per_12",
    source: { doc: "Luật 69/2020/QH14", locator: "Điều 23 khoản 4 điểm a" },
    status: "in_force",
    valid_from: "2022-01-01",
    confidence: "V-P",
    applies_to: { market: "testland", job: "all", case: "general" },
  },
  {
    id: "workerDepositCap.testland.all",
    label: "Mức ký quỹ tối đa của người lao động đi Xứ Thử (dữ liệu thử)",
    value: 7_000_000,
    unit: "VND",
    source: { doc: "Nghị định 112/2021/NĐ-CP", locator: "Phụ lục II" },
    status: "in_force",
    valid_from: "2022-01-01",
    confidence: "V-P",
    applies_to: { market: "testland", job: "all" },
  },
];

let kb: KnowledgeBase;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const dir = await tempDir("xkld-market-");
  cleanup = dir.cleanup;
  const knowledge = join(dir.path, "knowledge");
  await cp(KNOWLEDGE_DIR, knowledge, { recursive: true });
  const marketsFile = join(knowledge, "markets.yaml");
  const markets = parseYaml(await readFile(marketsFile, "utf8")) as { markets: unknown[] };
  // Before "other": the registration buttons follow the file's order.
  markets.markets.splice(markets.markets.length - 1, 0, MARKET);
  await writeFile(marketsFile, stringifyYaml(markets));
  await writeFile(join(knowledge, "facts", "testland.yaml"), stringifyYaml(FACTS));
  kb = await loadKnowledge(knowledge, { promptsDir: PROMPTS_DIR });
});

afterAll(() => cleanup?.());

describe("a market added in knowledge/ only", () => {
  it("is recognised where people type it", () => {
    expect(kb.markets.destination("em muốn đi Xứ Thử làm việc")?.market).toBe("testland");
    expect(kb.markets.destination("di xu thu co mat tien khong")?.market).toBe("testland");
    expect(kb.markets.nameOf("testland")).toBe("Xứ Thử");
  });

  it("gets its own service-fee cap in the fee check, with the fact's citation", () => {
    const within = checkFees(kb, { market: "testland", contractMonths: 24, asOf: TODAY, charges: [{ kind: "service_fee", months: 1 }] });
    expect(within.charges[0]!.verdict).toBe("allowed");
    const above = checkFees(kb, { market: "testland", contractMonths: 24, asOf: TODAY, charges: [{ kind: "service_fee", months: 1.5 }] });
    expect(above.charges[0]!.verdict).toBe("above_cap");
    expect(above.charges[0]!.citations.map((c) => c.factId)).toContain("serviceFeeCap.testland.all.per12");
    // The same charge on an existing market is judged by the general cap (1 month per 12).
    const general = checkFees(kb, { market: "taiwan", job: "factory", contractMonths: 24, asOf: TODAY, charges: [{ kind: "service_fee", months: 1.5 }] });
    expect(general.charges[0]!.verdict).toBe("allowed");
  });

  it("gets its own worker-deposit cap in the fee check", () => {
    const above = checkFees(kb, { market: "testland", asOf: TODAY, charges: [{ kind: "deposit", amount: { value: 9_000_000, currency: "VND" } }] });
    expect(above.charges[0]!.verdict).toBe("above_cap");
    expect(above.charges[0]!.citations.map((c) => c.factId)).toContain("workerDepositCap.testland.all");
    const within = checkFees(kb, { market: "testland", asOf: TODAY, charges: [{ kind: "deposit", amount: { value: 6_000_000, currency: "VND" } }] });
    expect(within.charges[0]!.verdict).toBe("allowed");
  });

  it("gets its deposit rule in the deposit guidance, compared with what is asked", () => {
    const out = depositGuidance(kb, { market: "đi xứ thử", amountAsked: "9 triệu", asOf: TODAY });
    expect(out.status).toBe("ok");
    if (out.status !== "ok") return;
    expect(out.result.market.name).toBe("Xứ Thử");
    expect(out.result.cap.factId).toBe("workerDepositCap.testland.all");
    expect(out.result.generalRule).toBe(false);
    expect(out.answer.text).toMatch(/Xứ Thử.*7 triệu đồng/);
    expect(out.answer.text).toMatch(/9 triệu đồng cao hơn/);
    expect(out.answer.citations.map((c) => c.factId)).toContain("workerDepositCap.testland.all");
  });

  it("is a button when the fee check asks where the person is going, and the tap is read", () => {
    const state = startFeeDialog(kb, "công ty thu tiền dịch vụ 1 tháng lương có đúng không");
    const step = nextFeeStep(kb, state, TODAY);
    expect(step.kind).toBe("ask");
    if (step.kind !== "ask") return;
    expect(step.buttons).toContain("Xứ Thử");
    const answered = answerFeeSlot(kb, step.state, "Xứ Thử");
    expect(answered?.market).toBe("testland");
    const verdict = nextFeeStep(kb, { ...answered!, contractMonths: 24 }, TODAY);
    if (verdict.kind === "answer") expect(verdict.result.charges[0]!.verdict).toBe("allowed");
    else expect(verdict.question).not.toBe(step.question);
  });

  it("is offered and saved by the registration form", () => {
    const prompts = loadRegistrationPrompts(PROMPTS_DIR);
    const B = prompts.buttons;
    let state: RegistrationState = startRegistration(NOW, prompts).state;
    const answers = [B.agree, "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập"];
    for (const text of answers) state = stepRegistration(kb, state, text, NOW, prompts).state;
    expect(state.step).toBe("markets");
    const shown = stepRegistration(kb, state, "Xứ Thử", NOW, prompts);
    expect(shown.reply.buttons).toEqual(expect.arrayContaining(["✓ Xứ Thử"]));
    state = stepRegistration(kb, shown.state, B.done, NOW, prompts).state;
    expect(state.step).toBe("trade");
    expect(state.data.markets).toEqual(["testland"]);
  });
});

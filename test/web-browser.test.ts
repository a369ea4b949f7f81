import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { chromium, type Browser, type Page } from "playwright-core";
import { createWebApp } from "../src/channels/web/app.ts";
import { openStore } from "../src/store/store.ts";
import { realEngine } from "./helpers.ts";

// Debian's chromium, driven by playwright-core. `.ci/run` installs it and sets
// XKLD_REQUIRE_BROWSER=1 so CI never skips this file.
const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.XKLD_REQUIRE_BROWSER === "1") throw new Error("chromium is missing: apt-get install chromium");

let server: ServerType;
let browser: Browser;
let page: Page;

describe.skipIf(!available)("web chat in headless Chromium", () => {
  beforeAll(async () => {
    const app = createWebApp({ engine: await realEngine(), store: await openStore("memory://") });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 390, height: 800 } }); // a phone
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  const lastAssistant = () => page.locator(".msg.assistant").last();
  async function say(text: string): Promise<void> {
    const before = await page.locator(".msg.assistant").count();
    const chip = lastAssistant().locator(".chips button", { hasText: text });
    if ((await chip.count()) > 0 && (await chip.first().textContent()) === text) await chip.first().click();
    else {
      await page.getByLabel("Câu hỏi của bạn").fill(text);
      await page.keyboard.press("Enter");
    }
    await page.waitForFunction((n) => document.querySelectorAll(".msg.assistant").length > n, before);
  }

  it("is Vietnamese and labelled for screen readers and keyboards", async () => {
    expect(await page.getAttribute("html", "lang")).toBe("vi");
    await expect(page.getByLabel("Câu hỏi của bạn").isVisible()).resolves.toBe(true);
    expect(await page.getAttribute("#log", "aria-live")).toBe("polite");
  });

  it("answers a typed question with its sources", async () => {
    await say("ky quy di dai loan bao nhieu");
    const answer = lastAssistant();
    await expect(answer.textContent()).resolves.toContain("12 triệu");
    await expect(answer.locator(".sources li").first().textContent()).resolves.toContain("Nghị định 112/2021/NĐ-CP");
    // A citation opens the passage it points to.
    await answer.locator(".sources .cite").first().click();
    await page.waitForFunction(() => !!document.querySelector(".msg.assistant:last-child .passage:not([hidden])"));
    await expect(answer.locator(".passage").first().textContent()).resolves.toMatch(/12 triệu|Đài Loan/);
  });

  it("opens a client document's own passage", async () => {
    await say("Lạng Sơn đặt mục tiêu mỗi năm đưa bao nhiêu lao động sang Sùng Tả?");
    await lastAssistant().locator(".sources .cite").first().click();
    await page.waitForFunction(() => !!document.querySelector(".msg.assistant:last-child .passage:not([hidden])"));
    await expect(lastAssistant().locator(".passage").first().textContent()).resolves.toContain("5.000");
  });

  it("does a fee check with buttons", async () => {
    await say("cty doi 4 thang luong tien dich vu co dung ko");
    await say("Đài Loan");
    await say("3 năm");
    await expect(lastAssistant().textContent()).resolves.toContain("vượt 1 tháng lương");
  });

  it("completes a registration with buttons and typing", async () => {
    for (const text of ["/dangky", "Đồng ý", "Nguyễn Văn An", "0912 345 678", "1998", "Nghệ An", "xã Tân Lập", "Nhật Bản", "Xong", "thợ hàn", "Biết chút ít", "Không thuộc nhóm nào", "Buổi tối", "Bỏ qua"]) {
      await say(text);
    }
    await say("Xác nhận");
    await expect(lastAssistant().textContent()).resolves.toMatch(/DK-[2-9A-Z]{5}/);
  }, 30_000);
});

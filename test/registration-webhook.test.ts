/**
 * The webhook hand-off and how the outbox's one Deliver port is composed (main.ts):
 * webhookHandoff POSTs a case as JSON with the item id as Idempotency-Key; deliverAll
 * runs the senders in order and fails when one does.
 */
import { describe, expect, it } from "vitest";
import { deliverAll } from "../src/registration/deliver.ts";
import type { Delivery } from "../src/registration/outbox.ts";
import { RegistrationService } from "../src/registration/service.ts";
import { loadRegistrationPrompts } from "../src/registration/form.ts";
import type { Destinations } from "../src/registration/routing.ts";
import { webhookHandoff } from "../src/registration/webhook.ts";
import { PROMPTS_DIR, memoryStore, realEngine } from "./helpers.ts";

const destinations: Destinations = {
  offices: { "province:ha-noi": { webhookUrl: "https://so-noi-vu.example.vn/xkld/hook" }, "province:hue": { telegramChatId: -1001 } },
};

async function setup() {
  const base = await realEngine();
  const registration = new RegistrationService({ kb: base.index.kb, kv: await memoryStore(), prompts: loadRegistrationPrompts(PROMPTS_DIR), destinations });
  const reg = await registration.store.submit("telegram:42", {
    consentAt: "2026-03-01T02:00:00.000Z", fullName: "Nguyễn Thị Hằng", phone: "+84912345678", birthYear: 1998, provinceId: "ha-noi",
    markets: ["japan"], priorityGroup: "none", routedTo: "province:ha-noi",
  });
  const posts: Array<{ url: string; key: string | null; body: { event: string; registration: { id: string } } }> = [];
  let status = 200;
  const fetch = (async (url: string, init: RequestInit) => {
    posts.push({ url, key: new Headers(init.headers).get("idempotency-key"), body: JSON.parse(String(init.body)) });
    return new Response(null, { status });
  }) as typeof globalThis.fetch;
  const item = (caseId: string, destinationKey = "province:ha-noi"): Delivery => ({
    id: `${caseId}>${destinationKey}`, caseId, destinationKey, state: "pending", createdAt: "", attempts: 1, nextAttemptAt: "",
    inFlight: true, inDoubt: false, log: [], attempt: 1,
  });
  return { registration, reg, posts, fetch, item, failWith: (s: number) => void (status = s) };
}

describe("webhook hand-off", () => {
  it("POSTs the case as JSON with the outbox item's id as Idempotency-Key", async () => {
    const { registration, reg, posts, fetch, item } = await setup();
    await webhookHandoff({ registration, destinations, fetch })(item(reg.id));
    expect(posts).toEqual([{ url: "https://so-noi-vu.example.vn/xkld/hook", key: `${reg.id}>province:ha-noi`, body: expect.objectContaining({ event: "registration" }) }]);
    expect(posts[0]!.body.registration.id).toBe(reg.id);
  });

  it("sends nothing for a destination without a webhook, for a question, or after the data was deleted", async () => {
    const { registration, reg, posts, fetch, item } = await setup();
    const send = webhookHandoff({ registration, destinations, fetch });
    await send(item(reg.id, "province:hue"));
    await send(item(`${reg.id}#Q1`));
    await registration.deleteData("telegram:42");
    await send(item(reg.id));
    expect(posts).toEqual([]);
  });

  it("throws when the receiver refuses (the outbox retries) or the destination is gone", async () => {
    const { registration, reg, fetch, item, failWith } = await setup();
    failWith(503);
    await expect(webhookHandoff({ registration, destinations, fetch })(item(reg.id))).rejects.toThrow(/webhook answered 503/);
    await expect(webhookHandoff({ registration, destinations, fetch })(item(reg.id, "province:cao-bang"))).rejects.toThrow(/no destination "province:cao-bang".*OFFICES_FILE/);
  });
});

describe("deliverAll", () => {
  it("runs every sender in order and stops at the first failure", async () => {
    const calls: string[] = [];
    const ok = (name: string) => async () => void calls.push(name);
    const fail = async () => {
      calls.push("fail");
      throw new Error("down");
    };
    const { item } = await setup();
    await deliverAll(ok("telegram"), ok("webhook"))(item("DK-22222"));
    expect(calls).toEqual(["telegram", "webhook"]);
    await expect(deliverAll(fail, ok("webhook"))(item("DK-22222"))).rejects.toThrow("down");
    expect(calls).toEqual(["telegram", "webhook", "fail"]);
  });
});

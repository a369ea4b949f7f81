import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { openStore, type KeyValueStore } from "../src/store/store.ts";
import { RegistrationStore } from "../src/registration/store.ts";
import { HandoffOutbox, outboxItemId, type Delivery, type OutboxItem } from "../src/registration/outbox.ts";
import { destinationFor, loadDestinations, parseDestinations, routeCase } from "../src/registration/routing.ts";
import { communeSchema, provinceSchema } from "../src/knowledge/offices-schema.ts";
import { KNOWLEDGE_DIR, captureLogs, memoryStore, tempDir } from "./helpers.ts";

/** The example deploy-time config (what config/offices.yaml would hold). */
export const EXAMPLE_DESTINATIONS = `# Office destinations: where each office receives new cases.
# Keys: "commune:<id>" or "province:<id>" with ids from knowledge/offices/*.yaml.
# A case goes to its commune's destination, else its province's, else "unrouted".
offices:
  "commune:ha-noi-bo-de":
    name: "UBND phường Bồ Đề"
    telegramChatId: -1001234567890
  "province:ha-noi":
    name: "Sở Nội vụ Hà Nội"
    telegramChatId: "-1009876543210"
    webhookUrl: "https://so-noi-vu.example.vn/xkld/hook"
  "province:cao-bang":
    webhookUrl: "http://10.0.0.5:8080/dang-ky"
unrouted:
  name: "Hàng chờ trung tâm"
  telegramChatId: -1005555555555
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});


/** A virtual clock: sleep() advances time instantly and remembers each wait. */
function virtualTime(start = Date.parse("2026-03-01T00:00:00.000Z")) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

/** An officer endpoint that is down for the first `failures` calls, then accepts. */
function flakyEndpoint(failures: number) {
  const calls: Delivery[] = [];
  const accepted: Delivery[] = [];
  return {
    calls,
    accepted,
    deliver: async (item: Delivery) => {
      calls.push(item);
      if (calls.length <= failures) throw new Error(`HTTP 503 for ${item.id} (gọi lại +84912345678)`);
      accepted.push(item);
    },
  };
}

describe("routing", () => {
  const destinations = parseDestinations(parseYaml(EXAMPLE_DESTINATIONS), "offices.yaml");

  it("sends a case to its commune's destination", () => {
    expect(routeCase({ provinceId: "ha-noi", communeId: "ha-noi-bo-de" }, destinations)).toEqual({
      key: "commune:ha-noi-bo-de",
      destination: { name: "UBND phường Bồ Đề", telegramChatId: -1001234567890 },
    });
  });

  it("falls back to the province default", () => {
    const route = routeCase({ provinceId: "ha-noi", communeId: "ha-noi-viet-hung" }, destinations);
    expect(route.key).toBe("province:ha-noi");
    expect(route.destination?.webhookUrl).toBe("https://so-noi-vu.example.vn/xkld/hook");
    expect(routeCase({ provinceId: "cao-bang" }, destinations).key).toBe("province:cao-bang");
  });

  it("puts cases with no office destination in the unrouted queue, never dropping them", () => {
    expect(routeCase({ provinceId: "hue", communeId: "hue-x" }, destinations)).toEqual({
      key: "unrouted",
      destination: { name: "Hàng chờ trung tâm", telegramChatId: -1005555555555 },
    });
    const noCentral = parseDestinations({ offices: {} });
    expect(routeCase({ provinceId: "hue" }, noCentral)).toEqual({ key: "unrouted" });
    expect(destinationFor("unrouted", destinations)?.name).toBe("Hàng chờ trung tâm");
    expect(destinationFor("province:cao-bang", destinations)?.webhookUrl).toBe("http://10.0.0.5:8080/dang-ky");
  });

  it("loads YAML or JSON files and checks office ids against knowledge/offices", async () => {
    const dir = await tempDir("xkld-dest-");
    cleanups.push(dir.cleanup);
    const yamlFile = join(dir.path, "offices.yaml");
    const jsonFile = join(dir.path, "offices.json");
    await writeFile(yamlFile, EXAMPLE_DESTINATIONS);
    await writeFile(jsonFile, JSON.stringify({ offices: { "province:hue": { telegramChatId: "@hue_xkld" } } }));
    const known = {
      provinceIds: (parseYaml(await readFile(join(KNOWLEDGE_DIR, "offices/provinces.yaml"), "utf8")) as unknown[]).map((p) => provinceSchema.parse(p).id),
      communeIds: (parseYaml(await readFile(join(KNOWLEDGE_DIR, "offices/communes.yaml"), "utf8")) as unknown[]).map((c) => communeSchema.parse(c).id),
    };
    expect(await loadDestinations(yamlFile, known)).toEqual(destinations);
    expect((await loadDestinations(jsonFile, known)).offices["province:hue"]).toEqual({ telegramChatId: "@hue_xkld" });

    await writeFile(yamlFile, `offices:\n  "commune:ha-noi-bo-dee": { telegramChatId: -1 }\n`);
    await expect(loadDestinations(yamlFile, known)).rejects.toThrow(`${yamlFile}: offices."commune:ha-noi-bo-dee": no such commune`);
  });

  it("names the file and field of a bad config", async () => {
    const bad = (value: unknown) => () => parseDestinations(value, "config/offices.yaml");
    expect(bad({ offices: { "province:ha-noi": { webhookUrl: "ftp://x" } } })).toThrow('config/offices.yaml: offices."province:ha-noi".webhookUrl: must be an http(s) URL');
    expect(bad({ offices: { "province:ha-noi": {} } })).toThrow('config/offices.yaml: offices."province:ha-noi": give telegramChatId or webhookUrl');
    expect(bad({ offices: { "huyen:long-bien": { telegramChatId: 1 } } })).toThrow(/config\/offices.yaml: offices."huyen:long-bien".*commune:<id>/);
    expect(bad({ offices: { "province:ha-noi": { telegramChatId: "nhóm" } } })).toThrow(/telegramChatId: must be a chat id/);
    expect(bad({ office: {} })).toThrow(/config\/offices.yaml: .*office/);
    await expect(loadDestinations("/nonexistent/offices.yaml")).rejects.toThrow("/nonexistent/offices.yaml: cannot read the office destinations file (ENOENT)");
  });
});

describe("HandoffOutbox", () => {
  it("enqueues once per case and destination", async () => {
    const outbox = new HandoffOutbox(await memoryStore());
    const first = await outbox.enqueue("DK-7F3K2", "commune:ha-noi-bo-de");
    const again = await outbox.enqueue("DK-7F3K2", "commune:ha-noi-bo-de");
    expect(again).toEqual(first);
    await Promise.all([outbox.enqueue("DK-7F3K2", "unrouted"), outbox.enqueue("DK-7F3K2", "unrouted")]);
    expect((await outbox.pending()).map((i) => i.id)).toEqual([outboxItemId("DK-7F3K2", "commune:ha-noi-bo-de"), "DK-7F3K2>unrouted"]);
  });

  it("retries a failing endpoint with capped exponential backoff until it recovers", async () => {
    const outbox = new HandoffOutbox(await memoryStore(), { baseDelayMs: 1000, maxDelayMs: 5000 });
    const time = virtualTime();
    await outbox.enqueue("DK-7F3K2", "province:ha-noi", new Date(time.now()));
    const endpoint = flakyEndpoint(5);
    const summary = await outbox.run({ deliver: endpoint.deliver, now: time.now, sleep: time.sleep, untilIdle: true, idlePollMs: 60_000 });
    expect(summary).toEqual({ delivered: 1, failures: 5 });
    expect(time.sleeps).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(endpoint.calls.map((c) => c.lastAttemptAt?.slice(11, 19))).toEqual(["00:00:00", "00:00:01", "00:00:03", "00:00:07", "00:00:12", "00:00:17"]);
    expect(endpoint.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(endpoint.accepted).toHaveLength(1);
    const [item] = await outbox.delivered();
    expect(item).toMatchObject({ state: "delivered", attempts: 6, inFlight: false, deliveredAt: "2026-03-01T00:00:17.000Z" });
    expect(item!.log.map((l) => l.ok)).toEqual([false, false, false, false, false, true]);
    // The error is kept for officers/deployers, with phone numbers masked.
    expect(item!.lastError).toContain("HTTP 503");
    expect(item!.lastError).not.toContain("912345678");
    expect(await outbox.pending()).toEqual([]);
    expect(outbox.backoffMs(1)).toBe(1000);
    expect(outbox.backoffMs(100)).toBe(5000);
  });

  it("delivers exactly once, however often it runs or enqueues", async () => {
    const kv = await memoryStore();
    const outbox = new HandoffOutbox(kv, { baseDelayMs: 10 });
    const endpoint = flakyEndpoint(0);
    for (const id of ["DK-AAAAA", "DK-BBBBB", "DK-CCCCC"]) await outbox.enqueue(id, "unrouted");
    await outbox.run({ deliver: endpoint.deliver, untilIdle: true });
    await outbox.enqueue("DK-AAAAA", "unrouted");
    await new HandoffOutbox(kv).run({ deliver: endpoint.deliver, untilIdle: true });
    expect(endpoint.accepted.map((d) => d.caseId)).toEqual(["DK-AAAAA", "DK-BBBBB", "DK-CCCCC"]);
    expect((await outbox.delivered()).map((i) => i.caseId)).toEqual(["DK-AAAAA", "DK-BBBBB", "DK-CCCCC"]);
  });

  it("allows one delivery loop per store", async () => {
    const kv = await memoryStore();
    const stop = new AbortController();
    const loop = new HandoffOutbox(kv).run({ deliver: async () => {}, signal: stop.signal });
    await expect(new HandoffOutbox(kv).run({ deliver: async () => {}, untilIdle: true })).rejects.toThrow(/already running/);
    stop.abort();
    await expect(loop).resolves.toEqual({ delivered: 0, failures: 0 });
  });

  it("wakes up for a new item instead of waiting for the next poll", async () => {
    const kv = await memoryStore();
    const outbox = new HandoffOutbox(kv);
    const endpoint = flakyEndpoint(0);
    const stop = new AbortController();
    const loop = outbox.run({ deliver: endpoint.deliver, signal: stop.signal, idlePollMs: 60_000 });
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await outbox.enqueue("DK-7F3K2", "unrouted");
    while (endpoint.accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(Date.now() - started).toBeLessThan(2000);
    stop.abort();
    expect(await loop).toEqual({ delivered: 1, failures: 0 });
  });

  it("resumes pending items after a restart (sqlite)", async () => {
    const dir = await tempDir("xkld-outbox-");
    cleanups.push(dir.cleanup);
    const url = `sqlite://${join(dir.path, "store.sqlite")}`;
    const kv1 = await openStore(url);
    const outbox1 = new HandoffOutbox(kv1, { baseDelayMs: 10 });
    await outbox1.enqueue("DK-AAAAA", "commune:ha-noi-bo-de");
    await outbox1.enqueue("DK-BBBBB", "province:ha-noi");
    // One attempt fails before the "restart": the attempt count survives too.
    await outbox1.deliverDue(async () => {
      throw new Error("HTTP 502");
    });
    await kv1.close();

    const kv2 = await openStore(url);
    cleanups.push(() => kv2.close());
    const outbox2 = new HandoffOutbox(kv2, { baseDelayMs: 10 });
    expect((await outbox2.pending()).map((i) => [i.caseId, i.attempts, i.lastError])).toEqual([
      ["DK-AAAAA", 1, "Error: HTTP 502"],
      ["DK-BBBBB", 1, "Error: HTTP 502"],
    ]);
    const endpoint = flakyEndpoint(0);
    await outbox2.run({ deliver: endpoint.deliver, untilIdle: true });
    expect(endpoint.accepted.map((d) => [d.caseId, d.attempt, d.inDoubt])).toEqual([
      ["DK-AAAAA", 2, false],
      ["DK-BBBBB", 2, false],
    ]);
    expect(await outbox2.pending()).toEqual([]);
  });

  it("marks a resend after a crash mid-delivery as in doubt, with the same id", async () => {
    const kv = await memoryStore();
    const outbox = new HandoffOutbox(kv, { baseDelayMs: 5 });
    const item = await outbox.enqueue("DK-7F3K2", "unrouted");
    // What a SIGKILL during deliver() leaves behind (the fault test does it for real).
    await kv.set<OutboxItem>(`outbox:item:${item.id}`, { ...item, attempts: 1, inFlight: true });
    // The resend fails once: the retry is still in doubt (the first attempt may have landed).
    const endpoint = flakyEndpoint(1);
    await outbox.run({ deliver: endpoint.deliver, untilIdle: true });
    expect(endpoint.calls.map((d) => [d.id, d.attempt, d.inDoubt])).toEqual([
      ["DK-7F3K2>unrouted", 2, true],
      ["DK-7F3K2>unrouted", 3, true],
    ]);
    const fresh = await outbox.enqueue("DK-AAAAA", "unrouted");
    expect(fresh.inDoubt).toBe(false);
  });

  it("keeps the loop alive through a store error, without logging personal data", async () => {
    const kv = await memoryStore();
    let failNext = true;
    const flakyKv: KeyValueStore = {
      get: async <T>(key: string) => {
        if (key === "outbox:pending" && failNext) {
          failNext = false;
          throw new Error("SQLITE_BUSY: database is locked");
        }
        return kv.get<T>(key);
      },
      set: (key, value, ttl) => kv.set(key, value, ttl),
      delete: (key) => kv.delete(key),
      close: () => kv.close(),
    };
    const { logger, text: logText } = captureLogs();
    const outbox = new HandoffOutbox(flakyKv, { baseDelayMs: 5, logger });
    await new HandoffOutbox(kv).enqueue("DK-7F3K2", "unrouted");
    const endpoint = flakyEndpoint(1);
    const stop = new AbortController();
    const loop = outbox.run({ deliver: endpoint.deliver, signal: stop.signal, idlePollMs: 10 });
    while (endpoint.accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    expect(await loop).toEqual({ delivered: 1, failures: 1 });
    const log = logText();
    expect(log).toContain("outbox pass failed");
    expect(log).toContain("hand-off failed, will retry");
    expect(log).toContain("hand-off delivered");
    expect(log).not.toContain("912345678");
  });

  it("sweeps stored cases without a hand-off into the outbox at start-up", async () => {
    const kv = await memoryStore();
    const regs = new RegistrationStore(kv);
    const outbox = new HandoffOutbox(kv);
    const base = { consentAt: "2026-03-01T00:00:00.000Z", fullName: "Lý Thị Mai", phone: "+84912345678", birthYear: 1999, markets: ["japan"], priorityGroup: "none" as const };
    const a = await regs.submit("telegram:1", { ...base, provinceId: "ha-noi", communeId: "ha-noi-bo-de", routedTo: "commune:ha-noi-bo-de" });
    const b = await regs.submit("telegram:2", { ...base, provinceId: "hue", routedTo: "unrouted" });
    await outbox.enqueue(a.id, a.routedTo);
    // Without a central destination the unrouted case stays in the store's queue only.
    expect(await outbox.sweep(regs, (key) => key !== "unrouted")).toBe(0);
    expect(await outbox.sweep(regs)).toBe(1);
    expect(await outbox.sweep(regs)).toBe(0);
    expect((await outbox.pending()).map((i) => i.id)).toEqual([`${a.id}>commune:ha-noi-bo-de`, `${b.id}>unrouted`]);
  });

  it("repairs an index entry whose item was never written", async () => {
    const kv = await memoryStore();
    const outbox = new HandoffOutbox(kv);
    await kv.set("outbox:pending", ["DK-ZZZZZ>unrouted"]);
    expect(await outbox.pending()).toEqual([]);
    expect(await kv.get("outbox:pending")).toEqual([]);
    await outbox.enqueue("DK-ZZZZZ", "unrouted");
    expect((await outbox.pending()).map((i) => i.id)).toEqual(["DK-ZZZZZ>unrouted"]);
  });
});

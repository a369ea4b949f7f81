/**
 * The storage contract every `KeyValueStore` backend passes: JSON values with Vietnamese
 * intact, delete, time to live, concurrent writes, and (for durable backends) values that
 * survive a reopen. A backend's own test file calls `runStoreContract` once.
 *
 * Each test opens its own handle and uses keys of its own, so tests never depend on each
 * other even when they share one backend (a sqlite file, a redis server).
 *
 * @example
 * // test/store-sqlite.test.ts
 * runStoreContract("sqlite", () => openStore(`sqlite://${file}`), { durable: true });
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyValueStore } from "../../store/store.ts";

export interface StoreContractOptions {
  /** Values survive closing and reopening (`open` reaches the same data again). */
  durable?: boolean;
}

export function runStoreContract(name: string, open: () => Promise<KeyValueStore>, options: StoreContractOptions = {}): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStore;
    /** Keys of this test only. */
    let key: (name: string) => string;
    beforeEach(async () => {
      store = await open();
      const prefix = `contract:${randomUUID()}`;
      key = (n) => `${prefix}:${n}`;
    });
    afterEach(() => store.close());

    it("gets what was set, as JSON values, Vietnamese intact", async () => {
      const value = { name: "Nguyễn Thị Hoà", list: [1, 2.5, "ba"], nested: { ok: true }, none: null };
      await store.set(key("a"), value);
      expect(await store.get(key("a"))).toEqual(value);
      expect(await store.get(key("missing"))).toBeUndefined();
    });

    it("deletes, and says whether something was there", async () => {
      await store.set(key("b"), 1);
      expect(await store.delete(key("b"))).toBe(true);
      expect(await store.get(key("b"))).toBeUndefined();
      expect(await store.delete(key("b"))).toBe(false);
    });

    it("forgets a value after its time to live", async () => {
      await store.set(key("ttl"), "x", 150);
      expect(await store.get(key("ttl"))).toBe("x");
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.get(key("ttl"))).toBeUndefined();
    });

    it("keeps many concurrent writes", async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(key(`c${i}`), i)));
      const values = await Promise.all(Array.from({ length: 50 }, (_, i) => store.get(key(`c${i}`))));
      expect(values).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it.skipIf(!options.durable)("keeps values across a reopen (a restart)", async () => {
      await store.set(key("durable"), { at: "restart" });
      await store.close();
      store = await open();
      expect(await store.get(key("durable"))).toEqual({ at: "restart" });
    });
  });
}

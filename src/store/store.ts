/**
 * One narrow storage interface for everything the assistant keeps (chat history, button
 * payloads, later sessions, registrations and the hand-off outbox), backed by keyv.
 * Default: an embedded sqlite file under the data directory; `memory://` for tests.
 *
 * @example
 * const store = await openStore("sqlite://data/store.sqlite");
 * await store.set("web:history:abc", turns);
 * const turns = await store.get<Turn[]>("web:history:abc");
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import Keyv from "keyv";
import KeyvSqlite from "@keyv/sqlite";

export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  /** Resolves only after the value is durable in the backend. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}

class KeyvStore implements KeyValueStore {
  constructor(private readonly keyv: Keyv) {}
  async get<T>(key: string): Promise<T | undefined> {
    return (await this.keyv.get(key)) as T | undefined;
  }
  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const ok = await this.keyv.set(key, value, ttlMs);
    if (!ok) throw new Error(`store: could not write ${key.split(":")[0]}:…`);
  }
  async delete(key: string): Promise<boolean> {
    return this.keyv.delete(key);
  }
  async close(): Promise<void> {
    await this.keyv.disconnect();
  }
}

/**
 * Opens a store from a URL: `sqlite://path/to/file.sqlite` (one instance), `redis://host:port`
 * (several instances sharing conversations, cases and the outbox) or `memory://` (tests).
 * Errors name the fix, e.g. an unknown scheme lists the supported ones.
 */
export async function openStore(url: string): Promise<KeyValueStore> {
  if (url === "memory://") return new KeyvStore(new Keyv());
  if (url.startsWith("sqlite://")) {
    const path = url.slice("sqlite://".length);
    if (!path) throw new Error("STORE_URL: give a file path, e.g. sqlite://data/store.sqlite");
    await mkdir(dirname(path), { recursive: true });
    const adapter = new KeyvSqlite({ uri: url, busyTimeout: 5000 });
    const keyv = new Keyv({ store: adapter, namespace: "xkld" });
    keyv.on("error", () => {
      // Errors surface as rejected promises to the caller; the event only needs a listener.
    });
    return new KeyvStore(keyv);
  }
  if (url.startsWith("redis://") || url.startsWith("rediss://")) {
    const { default: KeyvRedis } = await import("@keyv/redis");
    const adapter = new KeyvRedis(url, { throwOnConnectError: true });
    const keyv = new Keyv({ store: adapter, namespace: "xkld" });
    keyv.on("error", () => {
      // As for sqlite: failures reach the caller as rejected promises.
    });
    return new KeyvStore(keyv);
  }
  throw new Error(`STORE_URL "${url}" is not supported: use sqlite://path/to/file.sqlite, redis://host:6379 or memory://`);
}

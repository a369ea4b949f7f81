/**
 * Drops a delivery seen before. Platforms redeliver an update after a timeout (Telegram
 * retries webhooks, Zalo's getUpdates can repeat a message); answering twice would show two
 * answers and, worse, apply one answer twice to a form in progress.
 *
 * Two layers: a bounded in-memory set, checked synchronously so two copies arriving
 * together are caught before any await; and a store key with a time to live, so several
 * instances sharing one store (redis) agree. A delivery is marked before it is answered:
 * after a crash mid-answer the redelivery is dropped (the person sends again) rather than
 * applied twice.
 *
 * @example
 * const seen = new RedeliveryFilter(store, "zalo");
 * if (await seen.first(`${chatId}:${messageId}`)) await answer();
 */
import type { KeyValueStore } from "../store/store.ts";

export interface RedeliveryOptions {
  /** How long the store remembers a delivery. Default 24 h (platforms retry for minutes). */
  ttlMs?: number;
  /** Deliveries remembered in memory, oldest forgotten first. Default 10,000. */
  remember?: number;
}

export class RedeliveryFilter {
  private readonly recent = new Set<string>();
  private readonly ttlMs: number;
  private readonly remember: number;

  constructor(
    private readonly store: KeyValueStore,
    /** Prefix of the store keys: the channel's name. */
    private readonly scope: string,
    options: RedeliveryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 24 * 3600 * 1000;
    this.remember = options.remember ?? 10_000;
  }

  /** True the first time this process sees `key` (and remembers it). */
  firstHere(key: string): boolean {
    if (this.recent.has(key)) return false;
    this.recent.add(key);
    if (this.recent.size > this.remember) this.recent.delete(this.recent.values().next().value!);
    return true;
  }

  /** True when no instance sharing the store has marked `key`; marks it. */
  async firstAnywhere(key: string): Promise<boolean> {
    const storeKey = `${this.scope}:seen:${key}`;
    if (await this.store.get<boolean>(storeKey)) return false;
    await this.store.set(storeKey, true, this.ttlMs);
    return true;
  }

  /** Both checks: first here, then first anywhere. */
  async first(key: string): Promise<boolean> {
    return this.firstHere(key) && (await this.firstAnywhere(key));
  }
}

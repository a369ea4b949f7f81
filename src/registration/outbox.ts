/**
 * The durable hand-off outbox: "case X must reach destination Y" is written to the store
 * before anyone is told the case was sent, and a delivery loop works it off with retries
 * and capped exponential backoff. Everything lives in the `KeyValueStore`, so a restart
 * (or a SIGKILL) resumes where it stopped.
 *
 * Keys:
 *   outbox:item:<caseId>><destinationKey>  the item (state, attempts, next attempt, log)
 *   outbox:pending                         ids of items not yet delivered
 *   outbox:all                             every item id, in enqueue order
 *
 * Guarantees: one item per (case, destination) however often it is enqueued; an item is
 * marked delivered once and never sent again after that. A crash while `deliver` runs
 * leaves the outcome unknown, so the item is sent again after the restart with
 * `inDoubt: true` and the same `id`: webhook receivers should de-duplicate on that id (it
 * is sent as the Idempotency-Key), and a Telegram card can say it may be a repeat.
 * Items carry ids only, never personal data: `deliver` reads the case when it sends.
 *
 * @example
 * const outbox = new HandoffOutbox(kv);
 * await outbox.enqueue(saved.id, saved.routedTo);
 * void outbox.run({ deliver: (item) => sendCard(item), signal: shutdown.signal });
 */
import { maskPhone, type Logger } from "../logger.ts";
import type { KeyValueStore } from "../store/store.ts";
import { lockFor, type KeyedMutex, type RegistrationStore } from "./store.ts";

export interface AttemptLog {
  at: string;
  ok: boolean;
  error?: string;
}

export interface OutboxItem {
  /** "<caseId>><destinationKey>": stable across retries and restarts, usable as an idempotency key. */
  id: string;
  caseId: string;
  destinationKey: string;
  state: "pending" | "delivered";
  createdAt: string;
  attempts: number;
  nextAttemptAt: string;
  /** True while `deliver` runs; still true after a crash, which makes the next attempt in doubt. */
  inFlight: boolean;
  /**
   * An attempt was cut off by a crash, so the destination may already have this item.
   * Stays true until delivered: a resend that fails and is retried is still a possible repeat.
   */
  inDoubt: boolean;
  lastAttemptAt?: string;
  lastError?: string;
  deliveredAt?: string;
  /** The last attempts, newest last (capped). */
  log: AttemptLog[];
}

export interface Delivery extends OutboxItem {
  /** 1 for the first attempt. */
  attempt: number;
}

/** Sends one item (Telegram card, webhook POST); throws when the destination did not accept it. */
export type Deliver = (item: Delivery) => Promise<void>;

export interface OutboxOptions {
  /** Delay after the first failure; doubles per failure. Default 2 s. */
  baseDelayMs?: number;
  /** Cap of the delay: a long outage is retried at this pace until it recovers. Default 5 min. */
  maxDelayMs?: number;
  logger?: Logger;
}

export interface RunOptions {
  deliver: Deliver;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the loop (after the attempt in progress). */
  signal?: AbortSignal;
  /** Return once nothing is pending instead of waiting for new items. */
  untilIdle?: boolean;
  /** How long to wait for new items when idle. Default 1 s (an enqueue in this process wakes it sooner). */
  idlePollMs?: number;
}

export interface RunSummary {
  delivered: number;
  failures: number;
}

const K = {
  item: (id: string) => `outbox:item:${id}`,
  pending: "outbox:pending",
  all: "outbox:all",
};
const INDEX_LOCK = "outbox:index";
const LOG_CAP = 20;

const running = new WeakSet<KeyValueStore>();
const wakers = new WeakMap<KeyValueStore, Set<() => void>>();

export function outboxItemId(caseId: string, destinationKey: string): string {
  return `${caseId}>${destinationKey}`;
}

/** Error text for the item log: short, and phone numbers masked in case an endpoint echoes one. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return maskPhone(text).slice(0, 200);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class HandoffOutbox {
  private readonly mutex: KeyedMutex;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    options: OutboxOptions = {},
  ) {
    this.mutex = lockFor(kv);
    this.baseDelayMs = options.baseDelayMs ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.logger = options.logger;
  }

  /** Delay before the next attempt after `failures` failed attempts in a row. */
  backoffMs(failures: number): number {
    const exp = Math.min(failures - 1, 30); // 2^30 already exceeds any sensible cap
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, exp));
  }

  /**
   * Adds "send case X to destination Y" unless it is already there (pending or delivered).
   * Resolves after the item is durable.
   */
  async enqueue(caseId: string, destinationKey: string, now: Date = new Date()): Promise<OutboxItem> {
    const id = outboxItemId(caseId, destinationKey);
    const item = await this.mutex.run(INDEX_LOCK, async () => {
      const existing = await this.kv.get<OutboxItem>(K.item(id));
      if (existing) return existing;
      // Index first, item second: a crash in between leaves an id without an item, which
      // pending() drops and the next enqueue recreates. The reverse would leave an item
      // that no loop ever looks at and that enqueue would consider done.
      const [pending, all] = await Promise.all([this.kv.get<string[]>(K.pending), this.kv.get<string[]>(K.all)]);
      if (!pending?.includes(id)) await this.kv.set(K.pending, [...(pending ?? []), id]);
      if (!all?.includes(id)) await this.kv.set(K.all, [...(all ?? []), id]);
      const at = now.toISOString();
      const created: OutboxItem = {
        id,
        caseId,
        destinationKey,
        state: "pending",
        createdAt: at,
        attempts: 0,
        nextAttemptAt: at,
        inFlight: false,
        inDoubt: false,
        log: [],
      };
      await this.kv.set(K.item(id), created);
      return created;
    });
    for (const wake of wakers.get(this.kv) ?? []) wake();
    return item;
  }

  /**
   * Start-up recovery: enqueues the hand-off of every stored case that has none (a crash
   * between saving a case and enqueueing it). `shouldSend` skips routes without a
   * destination (e.g. "unrouted" when no central queue is configured). Returns how many
   * items were added.
   */
  async sweep(cases: Pick<RegistrationStore, "caseIds" | "getRecord">, shouldSend: (routedTo: string) => boolean = () => true): Promise<number> {
    let added = 0;
    for (const id of await cases.caseIds()) {
      const record = await cases.getRecord(id);
      if (!record || !shouldSend(record.routedTo)) continue;
      if (await this.get(id, record.routedTo)) continue;
      await this.enqueue(id, record.routedTo);
      added += 1;
    }
    return added;
  }

  async get(caseId: string, destinationKey: string): Promise<OutboxItem | undefined> {
    return this.kv.get<OutboxItem>(K.item(outboxItemId(caseId, destinationKey)));
  }

  /** Items not yet delivered, soonest due first. Repairs index entries left by a crash. */
  async pending(): Promise<OutboxItem[]> {
    const ids = (await this.kv.get<string[]>(K.pending)) ?? [];
    const items = await Promise.all(ids.map((id) => this.kv.get<OutboxItem>(K.item(id))));
    const stale = ids.filter((_, i) => items[i]?.state !== "pending");
    if (stale.length > 0) await this.dropFromPending(stale);
    return items
      .filter((item): item is OutboxItem => item?.state === "pending")
      .sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.createdAt.localeCompare(b.createdAt));
  }

  async delivered(): Promise<OutboxItem[]> {
    const ids = (await this.kv.get<string[]>(K.all)) ?? [];
    const items = await Promise.all(ids.map((id) => this.kv.get<OutboxItem>(K.item(id))));
    return items.filter((item): item is OutboxItem => item?.state === "delivered");
  }

  /**
   * One pass: attempts every item due at `now()`. Returns what happened and when the next
   * pending item is due (undefined when none is pending).
   */
  async deliverDue(deliver: Deliver, now: () => number = Date.now, signal?: AbortSignal): Promise<RunSummary & { nextDueMs?: number }> {
    const summary = { delivered: 0, failures: 0 };
    const due = await this.pending();
    let attempted = false;
    for (const item of due) {
      if (signal?.aborted) break;
      if (Date.parse(item.nextAttemptAt) > now()) continue;
      attempted = true;
      const ok = await this.attempt(item.id, deliver, now);
      if (ok === true) summary.delivered += 1;
      if (ok === false) summary.failures += 1;
    }
    // Nothing attempted, nothing changed: the list just read still holds (an enqueue wakes the loop).
    const rest = attempted ? await this.pending() : due;
    const nextDueMs = rest.length > 0 ? Math.min(...rest.map((i) => Date.parse(i.nextAttemptAt))) : undefined;
    return nextDueMs === undefined ? summary : { ...summary, nextDueMs };
  }

  /**
   * The delivery loop: delivers due items, sleeps until the next is due (or an enqueue
   * wakes it), and keeps retrying a failing destination with backoff until it recovers.
   * One loop per store: a second concurrent run would send items twice.
   */
  async run(options: RunOptions): Promise<RunSummary> {
    const { deliver, now = Date.now, sleep = realSleep, signal, untilIdle = false, idlePollMs = 1000 } = options;
    if (running.has(this.kv)) throw new Error("outbox: a delivery loop is already running on this store");
    running.add(this.kv);
    const total = { delivered: 0, failures: 0 };
    let wake: () => void = () => {};
    const set = wakers.get(this.kv) ?? new Set();
    wakers.set(this.kv, set);
    // `woken` catches an enqueue that lands while a pass runs, before the wait begins.
    let woken = false;
    const waker = () => {
      woken = true;
      wake();
    };
    set.add(waker);
    signal?.addEventListener("abort", waker, { once: true });
    try {
      while (!signal?.aborted) {
        woken = false;
        let nextDueMs: number | undefined;
        try {
          const pass = await this.deliverDue(deliver, now, signal);
          total.delivered += pass.delivered;
          total.failures += pass.failures;
          nextDueMs = pass.nextDueMs;
        } catch (error) {
          // A store error (disk full, sqlite busy) must not end a long-running loop for good:
          // nothing is lost, the items stay pending, so wait and try again.
          if (untilIdle) throw error;
          this.logger?.error({ error: describe(error) }, "outbox pass failed, will retry");
          nextDueMs = now() + idlePollMs;
        }
        if ((nextDueMs === undefined && untilIdle) || signal?.aborted) break;
        const waitMs = nextDueMs === undefined ? idlePollMs : Math.max(0, Math.min(idlePollMs, nextDueMs - now()));
        if (waitMs === 0 || woken) continue;
        await new Promise<void>((resolve) => {
          wake = resolve;
          sleep(waitMs).then(resolve, resolve);
        });
        wake = () => {};
      }
    } finally {
      signal?.removeEventListener("abort", waker);
      set.delete(waker);
      running.delete(this.kv);
    }
    return total;
  }

  /** true = delivered now, false = failed, undefined = nothing to do (already delivered). */
  private async attempt(id: string, deliver: Deliver, now: () => number): Promise<boolean | undefined> {
    return this.mutex.run(K.item(id), async () => {
      const current = await this.kv.get<OutboxItem>(K.item(id));
      if (!current || current.state !== "pending") return undefined;
      const startedAt = new Date(now()).toISOString();
      // Record the attempt before sending, so a crash mid-send is known to be in doubt.
      const started: OutboxItem = {
        ...current,
        attempts: current.attempts + 1,
        lastAttemptAt: startedAt,
        inFlight: true,
        inDoubt: current.inDoubt || current.inFlight,
      };
      await this.kv.set(K.item(id), started);
      let failure: unknown;
      let failed = false;
      try {
        await deliver({ ...started, attempt: started.attempts });
      } catch (error) {
        failed = true;
        failure = error;
      }
      const at = new Date(now()).toISOString();
      if (!failed) {
        const done: OutboxItem = {
          ...started,
          state: "delivered",
          inFlight: false,
          deliveredAt: at,
          log: [...started.log, { at, ok: true }].slice(-LOG_CAP),
        };
        await this.kv.set(K.item(id), done);
        await this.dropFromPending([id]);
        this.logger?.info({ caseId: done.caseId, destination: done.destinationKey, attempts: done.attempts }, "hand-off delivered");
        return true;
      }
      const error = describe(failure);
      const retry: OutboxItem = {
        ...started,
        inFlight: false,
        lastError: error,
        nextAttemptAt: new Date(now() + this.backoffMs(started.attempts)).toISOString(),
        log: [...started.log, { at, ok: false, error }].slice(-LOG_CAP),
      };
      await this.kv.set(K.item(id), retry);
      this.logger?.warn({ caseId: retry.caseId, destination: retry.destinationKey, attempts: retry.attempts, error }, "hand-off failed, will retry");
      return false;
    });
  }

  private async dropFromPending(ids: string[]): Promise<void> {
    await this.mutex.run(INDEX_LOCK, async () => {
      const pending = (await this.kv.get<string[]>(K.pending)) ?? [];
      // Re-check under the lock: an enqueue may have written the item meanwhile.
      const items = await Promise.all(ids.map((id) => this.kv.get<OutboxItem>(K.item(id))));
      const drop = new Set(ids.filter((_, i) => items[i]?.state !== "pending"));
      const next = pending.filter((id) => !drop.has(id));
      if (next.length !== pending.length) await this.kv.set(K.pending, next);
    });
  }
}

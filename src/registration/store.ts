/**
 * Registrations, their status history and an audit trail, kept in the one `KeyValueStore`
 * (keyv: sqlite file by default). keyv has no queries, so this module keeps its own index
 * keys and serialises writes that read-modify-write a key with an in-process mutex.
 *
 * Keys (all JSON values):
 *   reg:case:<id>          { v: 1, record: Registration | AnonymousCase, history: StatusChange[] }
 *   reg:user:<userKey>     case ids of that person, oldest first (the last one may be active)
 *   reg:ids                every case id ever reserved, in creation order
 *   reg:audit:<YYYY-MM-DD> audit entries of that day (Vietnam time); no personal data
 *
 * A case and its history live under one key so a status change is one atomic write.
 * Only one process may write a store at a time (the bot); the mutex is per process.
 *
 * @example
 * const regs = new RegistrationStore(await openStore("sqlite://data/store.sqlite"));
 * const saved = await regs.submit("telegram:42", input); // resolves after the row is written
 * await regs.setStatus(saved.id, "received", "telegram:officer-7");
 */
import { z } from "zod";
import type { Logger } from "../logger.ts";
import type { KeyValueStore } from "../store/store.ts";
import { allocateCaseId, type RandomInt } from "./case-id.ts";
import { ISO_DATE_RE } from "../text/wording.ts";
import {
  CASE_STATUSES,
  PRIORITY_GROUPS,
  VN_OFFSET_MS,
  registrationDraftSchema,
  registrationSchema,
  type CaseStatus,
  type Registration,
  type StatusChange,
} from "./types.ts";

// ---------------------------------------------------------------------------------------
// In-process locking

/**
 * Runs async critical sections one after another per key. Two messages from one person
 * arriving together both reach `submit`; without this both would see "no case yet" and
 * create two.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // Drop the entry when nobody queued behind us, so the map does not grow per user.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

const locks = new WeakMap<KeyValueStore, KeyedMutex>();
/** One lock table per store object, shared by every RegistrationStore/HandoffOutbox on it. */
export function lockFor(kv: KeyValueStore): KeyedMutex {
  let mutex = locks.get(kv);
  if (!mutex) {
    mutex = new KeyedMutex();
    locks.set(kv, mutex);
  }
  return mutex;
}

// ---------------------------------------------------------------------------------------
// Time: offices count by the Vietnamese calendar day (UTC+7, no daylight saving).

const VN_OFFSET = "+07:00";
const MONTH_RE = /^\d{4}-\d{2}$/;

/** A period bound: a Date, an ISO timestamp, a day "2026-03-31" or a month "2026-03" (Vietnam time). */
export type TimeBound = string | Date;
export interface Period {
  from?: TimeBound;
  to?: TimeBound;
}

function parseBound(bound: TimeBound, end: boolean): number {
  if (bound instanceof Date) return bound.getTime() + (end ? 1 : 0);
  if (MONTH_RE.test(bound)) {
    const [y, m] = bound.split("-").map(Number) as [number, number];
    const month = end ? m : m - 1; // Date.UTC months are 0-based: m is already "next month".
    return Date.UTC(y, month, 1) - VN_OFFSET_MS;
  }
  if (ISO_DATE_RE.test(bound)) {
    const start = Date.parse(`${bound}T00:00:00${VN_OFFSET}`);
    if (Number.isNaN(start)) throw new Error(`period: "${bound}" is not a date (use YYYY-MM-DD)`);
    return end ? start + 86_400_000 : start;
  }
  const ms = Date.parse(bound);
  if (Number.isNaN(ms)) throw new Error(`period: "${bound}" is not a date (use YYYY-MM-DD or YYYY-MM)`);
  return end ? ms + 1 : ms;
}

/** [fromMs, toMs) with `to` inclusive of its whole day or month. */
export function periodBounds(period: Period = {}): [number, number] {
  const from = period.from === undefined ? -Infinity : parseBound(period.from, false);
  const to = period.to === undefined ? Infinity : parseBound(period.to, true);
  return [from, to];
}

function inPeriod(iso: string, [from, to]: [number, number]): boolean {
  const ms = Date.parse(iso);
  return ms >= from && ms < to;
}

/** "YYYY-MM-DD" of an instant in Vietnam time. */
export function vnDay(at: Date | string): string {
  const ms = (at instanceof Date ? at.getTime() : Date.parse(at)) + VN_OFFSET_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------
// Shapes

/** What the form hands over; the store assigns id, userKey, status and dates. */
export const registrationInputSchema = registrationDraftSchema.extend({ routedTo: z.string().min(1).optional() });
export type RegistrationInput = z.input<typeof registrationInputSchema>;

/** What is left of a case after the person deleted their data: enough to count, nothing to identify. */
export const anonymousCaseSchema = registrationSchema
  .pick({
    id: true,
    provinceId: true,
    communeId: true,
    markets: true,
    priorityGroup: true,
    status: true,
    routedTo: true,
    createdAt: true,
    updatedAt: true,
  })
  .extend({ deletedAt: z.string() });
export type AnonymousCase = z.infer<typeof anonymousCaseSchema>;
export type CaseRecord = Registration | AnonymousCase;

export function isAnonymous(record: CaseRecord): record is AnonymousCase {
  return "deletedAt" in record;
}

const statusChangeSchema = z.object({
  caseId: z.string(),
  from: z.enum(CASE_STATUSES),
  to: z.enum(CASE_STATUSES),
  by: z.string(),
  at: z.string(),
});

// Anonymous first: a Registration also has every anonymous field except deletedAt.
const storedCaseSchema = z.object({
  v: z.literal(1),
  record: z.union([anonymousCaseSchema.strict(), registrationSchema]),
  history: z.array(statusChangeSchema),
});
type StoredCase = { v: 1; record: CaseRecord; history: StatusChange[] };

export const AUDIT_ACTIONS = ["submit", "merge", "status", "delete_personal_data", "export", "view"] as const;
export interface AuditEntry {
  at: string;
  action: (typeof AUDIT_ACTIONS)[number];
  /** An officer id, "worker" (never the person's own id: it would outlive their deletion) or "system". */
  by: string;
  caseId?: string;
  /** Short, non-personal: "new→received", "12 rows". */
  detail?: string;
}

export interface ListFilter extends Period {
  status?: CaseStatus | CaseStatus[];
  routedTo?: string | string[];
}

export interface StatsCounts {
  registered: number;
  counselled: number;
  signedUp: number;
}
export interface RegistrationStats extends StatsCounts {
  /** Current status of the cases registered in the period. */
  byStatus: Record<CaseStatus, number>;
  /** A case with two markets counts once in each. */
  byMarket: Record<string, StatsCounts>;
  byProvince: Record<string, StatsCounts>;
  /** Cases without a commune count under "" (province only). */
  byCommune: Record<string, StatsCounts>;
  byPriorityGroup: Record<(typeof PRIORITY_GROUPS)[number], StatsCounts>;
}

export interface SubmitResult {
  registration: Registration;
  /** True when the person already had an active case and this updated it. */
  merged: boolean;
}

export interface RegistrationStoreOptions {
  now?: () => Date;
  random?: RandomInt;
  logger?: Logger;
}

const K = {
  case: (id: string) => `reg:case:${id}`,
  user: (userKey: string) => `reg:user:${userKey}`,
  ids: "reg:ids",
  audit: (day: string) => `reg:audit:${day}`,
};

/**
 * Fields a repeat registration may change when given; everything else is the store's.
 * The place (province, commune, place as typed) is replaced as a whole, below: keeping an
 * old commune under a new province would route the case to the wrong office.
 */
const MERGEABLE = [
  "consentAt", "fullName", "phone", "birthYear", "markets", "trade", "languageLevel", "priorityGroup",
  "contactTime", "note", "routedTo",
] as const;

const zeroCounts = (): StatsCounts => ({ registered: 0, counselled: 0, signedUp: 0 });

// ---------------------------------------------------------------------------------------

export class RegistrationStore {
  private readonly mutex: KeyedMutex;
  private readonly now: () => Date;
  private readonly random: RandomInt | undefined;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    options: RegistrationStoreOptions = {},
  ) {
    this.mutex = lockFor(kv);
    this.now = options.now ?? (() => new Date());
    this.random = options.random;
    this.logger = options.logger;
  }

  /**
   * Saves a registration and resolves only once it is durable (the keyv write resolved:
   * for sqlite, the row is committed). A person with an active (not closed) case gets that
   * case updated — same id — instead of a second one.
   */
  async submit(userKey: string, data: RegistrationInput): Promise<Registration> {
    return (await this.submitWithOutcome(userKey, data)).registration;
  }

  async submitWithOutcome(userKey: string, data: RegistrationInput): Promise<SubmitResult> {
    // Validate before touching the store so a bad form never reserves an id.
    const input = registrationInputSchema.parse(data);
    if (userKey.length < 3) throw new Error("registration: userKey must be '<channel>:<userId>'");
    return this.mutex.run(K.user(userKey), async () => {
      const at = this.now().toISOString();
      const caseIds = (await this.kv.get<string[]>(K.user(userKey))) ?? [];
      const lastId = caseIds.at(-1);
      if (lastId) {
        const merged = await this.mutex.run(K.case(lastId), async () => {
          const stored = await this.read(lastId);
          // Reserved but never written (a crash mid-submit): finish that case with its id.
          if (!stored) return this.writeNew(lastId, userKey, input, at);
          if (isAnonymous(stored.record) || stored.record.status === "closed") return undefined;
          const next = { ...stored.record } as Record<string, unknown>;
          for (const field of MERGEABLE) {
            if (input[field] !== undefined) next[field] = input[field];
          }
          next.provinceId = input.provinceId;
          next.communeId = input.communeId;
          next.placeTyped = input.placeTyped;
          next.updatedAt = at;
          const record = registrationSchema.parse(next);
          await this.write({ ...stored, record });
          return { registration: record, merged: true };
        });
        if (merged) {
          await this.recordAudit({ at, action: merged.merged ? "merge" : "submit", by: "worker", caseId: lastId });
          this.logger?.info({ caseId: lastId, merged: merged.merged }, "registration saved");
          return merged;
        }
      }
      // A new case: reserve the id in both indexes first, then write the case. A crash in
      // between leaves a reservation that the next submit of this person completes.
      const id = await this.mutex.run(K.ids, async () => {
        const ids = (await this.kv.get<string[]>(K.ids)) ?? [];
        const taken = new Set(ids);
        const fresh = await allocateCaseId(
          async (candidate) => taken.has(candidate) || (await this.kv.get(K.case(candidate))) !== undefined,
          this.random,
        );
        await this.kv.set(K.ids, [...ids, fresh]);
        return fresh;
      });
      await this.kv.set(K.user(userKey), [...caseIds, id]);
      const result = await this.mutex.run(K.case(id), () => this.writeNew(id, userKey, input, at));
      await this.recordAudit({ at, action: "submit", by: "worker", caseId: id });
      this.logger?.info({ caseId: id, merged: false }, "registration saved");
      return result;
    });
  }

  private async writeNew(id: string, userKey: string, input: z.output<typeof registrationInputSchema>, at: string): Promise<SubmitResult> {
    const record = registrationSchema.parse({
      ...input,
      id,
      userKey,
      status: "new",
      routedTo: input.routedTo ?? "unrouted",
      createdAt: at,
      updatedAt: at,
    });
    await this.write({ v: 1, record, history: [] });
    return { registration: record, merged: false };
  }

  /** The registration with its personal data; undefined when unknown or deleted by the person. */
  async get(id: string): Promise<Registration | undefined> {
    const stored = await this.read(id);
    return stored && !isAnonymous(stored.record) ? stored.record : undefined;
  }

  /** The case as kept, including what remains after the person deleted their data. */
  async getRecord(id: string): Promise<CaseRecord | undefined> {
    return (await this.read(id))?.record;
  }

  /** The person's latest case that still holds their data (closed ones included, for /trangthai). */
  async byUser(userKey: string): Promise<Registration | undefined> {
    const caseIds = (await this.kv.get<string[]>(K.user(userKey))) ?? [];
    for (const id of [...caseIds].reverse()) {
      const registration = await this.get(id);
      if (registration) return registration;
    }
    return undefined;
  }

  /** Registrations with personal data, oldest first; the period applies to the registration date. */
  async list(filter: ListFilter = {}): Promise<Registration[]> {
    const bounds = periodBounds(filter);
    const statuses = filter.status === undefined ? undefined : new Set([filter.status].flat());
    const routes = filter.routedTo === undefined ? undefined : new Set([filter.routedTo].flat());
    const out: Registration[] = [];
    for (const stored of await this.readAll()) {
      const r = stored.record;
      if (isAnonymous(r)) continue;
      if (statuses && !statuses.has(r.status)) continue;
      if (routes && !routes.has(r.routedTo)) continue;
      if (!inPeriod(r.createdAt, bounds)) continue;
      out.push(r);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Records a status change (who, when) in the case's history and the audit trail.
   * Returns undefined when the case already has that status, so a double click on an
   * officer's button is not counted twice. Works on anonymised cases too: counts go on.
   */
  async setStatus(id: string, to: CaseStatus, by: string, at: Date | string = this.now()): Promise<StatusChange | undefined> {
    const status = z.enum(CASE_STATUSES).parse(to);
    const when = typeof at === "string" ? new Date(at).toISOString() : at.toISOString();
    const change = await this.mutex.run(K.case(id), async () => {
      const stored = await this.read(id);
      if (!stored) throw new Error(`registration: no case ${id}`);
      if (stored.record.status === status) return undefined;
      const change: StatusChange = { caseId: id, from: stored.record.status, to: status, by, at: when };
      await this.write({
        v: 1,
        record: { ...stored.record, status, updatedAt: when },
        history: [...stored.history, change],
      });
      return change;
    });
    if (change) await this.recordAudit({ at: when, action: "status", by, caseId: id, detail: `${change.from}→${change.to}` });
    return change;
  }

  async history(id: string): Promise<StatusChange[]> {
    return (await this.read(id))?.history ?? [];
  }

  /**
   * Deletes the person's personal data from every case of theirs (name, phone, birth year,
   * place as typed, trade, language, contact time, note, their user id) and forgets the
   * person→case link; keeps province/commune, markets, priority group, status, dates and
   * history so the office's counts stay right. Returns the ids of the cases anonymised.
   */
  async deleteUserData(userKey: string, at: Date = this.now()): Promise<string[]> {
    const when = at.toISOString();
    return this.mutex.run(K.user(userKey), async () => {
      const caseIds = (await this.kv.get<string[]>(K.user(userKey))) ?? [];
      const done: string[] = [];
      for (const id of caseIds) {
        const changed = await this.mutex.run(K.case(id), async () => {
          const stored = await this.read(id);
          if (!stored || isAnonymous(stored.record)) return false;
          const r = stored.record;
          const record: AnonymousCase = anonymousCaseSchema.parse({
            id: r.id,
            provinceId: r.provinceId,
            communeId: r.communeId,
            markets: r.markets,
            priorityGroup: r.priorityGroup,
            status: r.status,
            routedTo: r.routedTo,
            createdAt: r.createdAt,
            updatedAt: when,
            deletedAt: when,
          });
          await this.write({ ...stored, record });
          return true;
        });
        if (changed) {
          done.push(id);
          await this.recordAudit({ at: when, action: "delete_personal_data", by: "worker", caseId: id });
        }
      }
      // Last: if we crash before this, the cases are already anonymous and byUser finds none.
      await this.kv.delete(K.user(userKey));
      this.logger?.info({ cases: done.length }, "personal data deleted");
      return done;
    });
  }

  /**
   * Counts an office reports upward for a period: registered (registration date in the
   * period), counselled (first reached counselled or signed_up in the period) and signed
   * up (first reached signed_up in the period), in total and by market, province, commune
   * and priority group. Anonymised cases count too.
   */
  /** Counts for a period, optionally for the offices (routing keys) given. */
  async stats(period: Period & { routedTo?: string | string[] } = {}): Promise<RegistrationStats> {
    const bounds = periodBounds(period);
    const routes = period.routedTo === undefined ? undefined : new Set([period.routedTo].flat());
    const stats: RegistrationStats = {
      ...zeroCounts(),
      byStatus: Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<CaseStatus, number>,
      byMarket: {},
      byProvince: {},
      byCommune: {},
      byPriorityGroup: Object.fromEntries(PRIORITY_GROUPS.map((g) => [g, zeroCounts()])) as RegistrationStats["byPriorityGroup"],
    };
    const bump = (table: Record<string, StatsCounts>, key: string, field: keyof StatsCounts) => {
      const counts = (table[key] ??= zeroCounts());
      counts[field] += 1;
    };
    for (const { record: r, history } of await this.readAll()) {
      if (routes && !routes.has(r.routedTo)) continue;
      const firstAt = (targets: CaseStatus[]) => history.find((c) => targets.includes(c.to))?.at;
      const counselledAt = firstAt(["counselled", "signed_up"]);
      const signedUpAt = firstAt(["signed_up"]);
      const flags: [keyof StatsCounts, boolean][] = [
        ["registered", inPeriod(r.createdAt, bounds)],
        ["counselled", counselledAt !== undefined && inPeriod(counselledAt, bounds)],
        ["signedUp", signedUpAt !== undefined && inPeriod(signedUpAt, bounds)],
      ];
      if (flags[0]![1]) stats.byStatus[r.status] += 1;
      for (const [field, on] of flags) {
        if (!on) continue;
        stats[field] += 1;
        for (const market of new Set(r.markets)) bump(stats.byMarket, market, field);
        bump(stats.byProvince, r.provinceId, field);
        bump(stats.byCommune, r.communeId ?? "", field);
        bump(stats.byPriorityGroup, r.priorityGroup, field);
      }
    }
    return stats;
  }

  /** Appends to the day's audit list. Entries must not carry personal data. */
  async recordAudit(entry: AuditEntry): Promise<void> {
    const key = K.audit(vnDay(entry.at));
    await this.mutex.run(key, async () => {
      const entries = (await this.kv.get<AuditEntry[]>(key)) ?? [];
      await this.kv.set(key, [...entries, entry]);
    });
  }

  /** Audit entries of one Vietnam day ("2026-03-05"). */
  async audit(day: string): Promise<AuditEntry[]> {
    return (await this.kv.get<AuditEntry[]>(K.audit(day))) ?? [];
  }

  /** Every case id in creation order (anonymised ones included): for recovery sweeps. */
  async caseIds(): Promise<string[]> {
    return (await this.kv.get<string[]>(K.ids)) ?? [];
  }

  private async read(id: string): Promise<StoredCase | undefined> {
    const raw = await this.kv.get<unknown>(K.case(id));
    if (raw === undefined) return undefined;
    const parsed = storedCaseSchema.safeParse(raw);
    if (!parsed.success) {
      // Say which key and field, never the value (it may be personal data).
      const issue = parsed.error.issues[0];
      throw new Error(`registration store: ${K.case(id)} is damaged at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
    }
    return parsed.data as StoredCase;
  }

  private async readAll(): Promise<StoredCase[]> {
    const ids = await this.caseIds();
    const all = await Promise.all(ids.map((id) => this.read(id)));
    return all.filter((s): s is StoredCase => s !== undefined);
  }

  private async write(stored: StoredCase): Promise<void> {
    await this.kv.set(K.case(stored.record.id), stored);
  }
}

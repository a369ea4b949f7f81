/**
 * The registration service ties the pieces together for the engine and the channels:
 * the form conversation (form.ts, state in the session store), the durable case store
 * (store.ts), routing to an office (routing.ts) and the hand-off outbox (outbox.ts).
 *
 * The worker is told "saved" only after the case and its hand-off are written. One
 * person's messages are handled one at a time, so two messages arriving together cannot
 * create two cases or skip a question.
 *
 * @example
 * const reply = await service.handle("telegram:42", "/dangky");
 * reply.text; // the consent question
 */
import type { KnowledgeBase } from "../knowledge/load.ts";
import type { KeyValueStore } from "../store/store.ts";
import { fill } from "../engine/replies.ts";
import { parseRegistrationState, startRegistration, stepRegistration, type RegistrationPrompts, type RegistrationReply } from "./form.ts";
import { HandoffOutbox } from "./outbox.ts";
import { destinationFor, routeCase, type Destinations } from "./routing.ts";
import { KeyedMutex, RegistrationStore } from "./store.ts";
import type { CaseStatus } from "./types.ts";

/** Two years after the last update, as the consent text (prompts/registration.yaml, retention) says. */
export const RETENTION_MS = 2 * 365 * 24 * 3600 * 1000;
/** A form in progress is kept this long without an answer, then forgotten. */
const FORM_TTL_MS = 7 * 24 * 3600 * 1000;

/** What a worker is told about each status, in plain words. */
export const STATUS_FOR_WORKER: Record<CaseStatus, string> = {
  new: "đã gửi đến cán bộ, đang chờ cán bộ nhận",
  received: "cán bộ đã nhận hồ sơ của bạn",
  contacted: "cán bộ đã liên hệ với bạn",
  unreachable: "cán bộ gọi nhưng chưa liên lạc được với bạn",
  counselled: "cán bộ đã tư vấn cho bạn",
  signed_up: "bạn đã đăng ký với công ty hoặc chương trình EPS",
  closed: "hồ sơ đã đóng",
};

export interface RegistrationServiceOptions {
  kb: KnowledgeBase;
  /** Sessions (form in progress) and cases live in the same durable store. */
  kv: KeyValueStore;
  prompts: RegistrationPrompts;
  destinations: Destinations;
  now?: () => Date;
}

export class RegistrationService {
  readonly store: RegistrationStore;
  readonly outbox: HandoffOutbox;
  private readonly mutex = new KeyedMutex();
  private readonly now: () => Date;

  constructor(private readonly options: RegistrationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.store = new RegistrationStore(options.kv, { now: this.now });
    this.outbox = new HandoffOutbox(options.kv);
  }

  get prompts(): RegistrationPrompts {
    return this.options.prompts;
  }

  private formKey(userKey: string): string {
    return `reg:form:${userKey}`;
  }

  /** Whether this person is in the middle of the form. */
  async active(userKey: string): Promise<boolean> {
    return parseRegistrationState(await this.options.kv.get(this.formKey(userKey))) !== undefined;
  }

  /** Starts the form (consent first). */
  async start(userKey: string): Promise<RegistrationReply> {
    return this.mutex.run(userKey, async () => {
      const { state, reply } = startRegistration(this.now(), this.prompts);
      await this.options.kv.set(this.formKey(userKey), state, FORM_TTL_MS);
      return reply;
    });
  }

  /** The next message of a form in progress. */
  async step(userKey: string, text: string): Promise<RegistrationReply> {
    return this.mutex.run(userKey, async () => {
      const key = this.formKey(userKey);
      const state = parseRegistrationState(await this.options.kv.get(key));
      if (!state) return startRegistration(this.now(), this.prompts).reply;
      const result = stepRegistration(this.options.kb, state, text, this.now(), this.prompts);
      if (result.cancelled) {
        await this.options.kv.delete(key);
        return result.reply;
      }
      if (!result.done) {
        await this.options.kv.set(key, result.state, FORM_TTL_MS);
        return result.reply;
      }
      // Confirmed: route, save, queue the hand-off; only then say "saved" and drop the form.
      const route = routeCase(result.done, this.options.destinations);
      try {
        const { registration: saved, merged } = await this.store.submitWithOutcome(userKey, { ...result.done, routedTo: route.key });
        // No destination at all (not even the central queue): the case waits in the store's unrouted list.
        if (destinationFor(saved.routedTo, this.options.destinations)) await this.outbox.enqueue(saved.id, saved.routedTo);
        await this.options.kv.delete(key);
        return { text: fill(merged ? this.prompts.merged : this.prompts.saved, { case_id: saved.id }), buttons: [] };
      } catch {
        // The form stays on its summary: pressing "Xác nhận" again retries, nothing typed is lost.
        await this.options.kv.set(key, result.state, FORM_TTL_MS);
        return { text: this.prompts.save_failed, buttons: [] };
      }
    });
  }

  /** /trangthai: the status of my case, in plain words. */
  async status(userKey: string): Promise<string> {
    const reg = await this.store.byUser(userKey);
    if (!reg) return this.prompts.no_case;
    return fill(this.prompts.status, { case_id: reg.id, status: STATUS_FOR_WORKER[reg.status] });
  }

  /** /xoadulieu: deletes the person's data everywhere it is kept; counts stay anonymous. */
  async deleteData(userKey: string): Promise<string> {
    return this.mutex.run(userKey, async () => {
      await this.options.kv.delete(this.formKey(userKey));
      const ids = await this.store.deleteUserData(userKey);
      return ids.length ? fill(this.prompts.deleted, { count: ids.length }) : this.prompts.nothing_to_delete;
    });
  }

  /**
   * Keeps the consent's promise: personal data of cases not updated for RETENTION_MS is
   * deleted; counts stay. Run at start-up and once a day.
   */
  async purgeStale(): Promise<number> {
    const cutoff = this.now().getTime() - RETENTION_MS;
    let purged = 0;
    for (const reg of await this.store.list({})) {
      if (Date.parse(reg.updatedAt) < cutoff) {
        purged += (await this.store.deleteUserData(reg.userKey, this.now())).length;
      }
    }
    return purged;
  }
}

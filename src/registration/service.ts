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
import type { Logger } from "../logger.ts";
import type { KeyValueStore } from "../store/store.ts";
import { fill } from "../text/wording.ts";
import { parseRegistrationState, startRegistration, stepRegistration, type RegistrationPrompts, type RegistrationReply } from "./form.ts";
import { HandoffOutbox } from "./outbox.ts";
import { destinationFor, routeCase, type Destinations } from "./routing.ts";
import { KeyedMutex, RegistrationStore } from "./store.ts";
import { CASE_ID_PATTERN } from "./types.ts";
import { caseTexts } from "./texts.ts";

/** Two years after the last update, as the consent text (prompts/registration.yaml, retention) says. */
export const RETENTION_MS = 2 * 365 * 24 * 3600 * 1000;
/** A form in progress is kept this long without an answer, then forgotten. */
const FORM_TTL_MS = 7 * 24 * 3600 * 1000;

/** A question a worker sends to their office ("hỏi cán bộ"), kept until answered or deleted. */
export interface OfficerQuestion {
  /** "<case id>#Q<n>": also the hand-off's id in the outbox. */
  id: string;
  caseId: string;
  userKey: string;
  text: string;
  askedAt: string;
  answer?: { text: string; at: string; by: string };
}

/** Outbox ids of questions: "<case id>#Q<n>"; a plain case id is a registration card. */
export const QUESTION_ID_RE = new RegExp(`^(${CASE_ID_PATTERN})#Q\\d+$`);
const MAX_QUESTION_CHARS = 1000;


export interface RegistrationServiceOptions {
  kb: KnowledgeBase;
  /** Sessions (form in progress) and cases live in the same durable store. */
  kv: KeyValueStore;
  prompts: RegistrationPrompts;
  destinations: Destinations;
  now?: () => Date;
  /** Logs case ids and counts only, never what people typed. */
  logger?: Logger;
}

export class RegistrationService {
  readonly store: RegistrationStore;
  readonly outbox: HandoffOutbox;
  private readonly mutex = new KeyedMutex();
  private readonly now: () => Date;

  constructor(private readonly options: RegistrationServiceOptions) {
    this.now = options.now ?? (() => new Date());
    this.store = new RegistrationStore(options.kv, { now: this.now, logger: options.logger });
    this.outbox = new HandoffOutbox(options.kv, { logger: options.logger });
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

  /** The next message of a form in progress (a form that is gone starts again). */
  async step(userKey: string, text: string): Promise<RegistrationReply> {
    return (await this.stepIfActive(userKey, text)) ?? startRegistration(this.now(), this.prompts).reply;
  }

  /**
   * The next message of the form when this person is in the middle of one; undefined
   * otherwise. One read of the form decides both, so a message costs one store read.
   */
  async stepIfActive(userKey: string, text: string): Promise<RegistrationReply | undefined> {
    return this.mutex.run(userKey, async () => {
      const key = this.formKey(userKey);
      const state = parseRegistrationState(await this.options.kv.get(key));
      if (!state) return undefined;
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

  private askKey(userKey: string): string {
    return `reg:ask:${userKey}`;
  }

  /** Where an officer question and its answer are kept. */
  private questionKey(id: string): string {
    return `reg:question:${id}`;
  }

  private questionsKey(userKey: string): string {
    return `reg:questions:${userKey}`;
  }

  /** Whether the next message of this person is their question for the officer. */
  async asking(userKey: string): Promise<boolean> {
    return (await this.options.kv.get(this.askKey(userKey))) === true;
  }

  /** "Hỏi cán bộ": asks for the question (it needs a case: the case says which office). */
  async startQuestion(userKey: string): Promise<string> {
    const reg = await this.store.byUser(userKey);
    if (!reg) return this.prompts.ask_needs_case;
    await this.options.kv.set(this.askKey(userKey), true, FORM_TTL_MS);
    return this.prompts.ask_prompt;
  }

  /** Stops waiting for a question (/huy). */
  async cancelQuestion(userKey: string): Promise<boolean> {
    return this.options.kv.delete(this.askKey(userKey));
  }

  /** Saves the question and queues it for the case's office; "sent" only after both are written. */
  async submitQuestion(userKey: string, text: string): Promise<string> {
    return this.mutex.run(userKey, async () => {
      await this.options.kv.delete(this.askKey(userKey));
      const reg = await this.store.byUser(userKey);
      if (!reg) return this.prompts.ask_needs_case;
      const questions = (await this.options.kv.get<OfficerQuestion[]>(this.questionsKey(userKey))) ?? [];
      const q: OfficerQuestion = {
        id: `${reg.id}#Q${questions.length + 1}`,
        caseId: reg.id,
        userKey,
        text: text.slice(0, MAX_QUESTION_CHARS),
        askedAt: this.now().toISOString(),
      };
      await this.options.kv.set(this.questionsKey(userKey), [...questions, q]);
      await this.options.kv.set(this.questionKey(q.id), q);
      if (destinationFor(reg.routedTo, this.options.destinations)) await this.outbox.enqueue(q.id, reg.routedTo);
      return fill(this.prompts.ask_sent, { case_id: reg.id });
    });
  }

  async question(id: string): Promise<OfficerQuestion | undefined> {
    return this.options.kv.get<OfficerQuestion>(this.questionKey(id));
  }

  /** Which question a message in an office group carries (for replies to it). */
  async rememberQuestionMessage(chatId: number | string, messageId: number, questionId: string): Promise<void> {
    await this.options.kv.set(`reg:qmsg:${chatId}:${messageId}`, questionId);
  }

  async questionForMessage(chatId: number | string, messageId: number): Promise<string | undefined> {
    return this.options.kv.get<string>(`reg:qmsg:${chatId}:${messageId}`);
  }

  /** Records an officer's answer; returns the question (to send the answer to the worker). */
  async answerQuestion(id: string, text: string, by: string): Promise<OfficerQuestion | undefined> {
    const q = await this.question(id);
    if (!q) return undefined;
    const answered: OfficerQuestion = { ...q, answer: { text: text.slice(0, MAX_QUESTION_CHARS), at: this.now().toISOString(), by } };
    await this.options.kv.set(this.questionKey(id), answered);
    const list = (await this.options.kv.get<OfficerQuestion[]>(this.questionsKey(q.userKey))) ?? [];
    await this.options.kv.set(this.questionsKey(q.userKey), list.map((x) => (x.id === id ? answered : x)));
    return answered;
  }

  /** /trangthai: the status of my case, in plain words. */
  async status(userKey: string): Promise<string> {
    const reg = await this.store.byUser(userKey);
    if (!reg) return this.prompts.no_case;
    const texts = caseTexts(this.options.kb);
    const status = fill(this.prompts.status, { case_id: reg.id, status: texts.status_for_worker[reg.status] });
    // On the web chat there is no push: the latest answer from an officer is shown here.
    const answered = ((await this.options.kv.get<OfficerQuestion[]>(this.questionsKey(userKey))) ?? []).filter((q) => q.answer).at(-1);
    return answered ? `${status}\n${fill(texts.answered_question, { question: answered.text.slice(0, 80), answer: answered.answer!.text })}` : status;
  }

  /** /xoadulieu: deletes the person's data everywhere it is kept; counts stay anonymous. */
  async deleteData(userKey: string): Promise<string> {
    return this.mutex.run(userKey, async () => {
      await this.options.kv.delete(this.formKey(userKey));
      await this.options.kv.delete(this.askKey(userKey));
      // Questions are the person's own words: they go too.
      for (const q of (await this.options.kv.get<OfficerQuestion[]>(this.questionsKey(userKey))) ?? []) {
        await this.options.kv.delete(this.questionKey(q.id));
      }
      await this.options.kv.delete(this.questionsKey(userKey));
      const ids = await this.store.deleteUserData(userKey);
      return ids.length ? fill(this.prompts.deleted, { count: ids.length }) : this.prompts.nothing_to_delete;
    });
  }

  /**
   * Start-up recovery: a case saved just before a crash, whose hand-off was not yet queued,
   * is queued now (cases already queued or delivered are left alone). Returns how many.
   */
  async recoverHandoffs(): Promise<number> {
    return this.outbox.sweep(this.store, (key) => destinationFor(key, this.options.destinations) !== undefined);
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

/**
 * The officers' side, in the office's Telegram group: each registration arrives as a card
 * with status buttons (who pressed and when is recorded, and the worker is told in plain
 * words); `/cases [status]`, `/case ID`, `/export [from] [to]` (CSV for Excel) and
 * `/stats [period]`. Only allow-listed chats (the groups in the offices config) and
 * allow-listed officers may use any of it; other groups get nothing. Cards are drawn by
 * case-card.ts; every sentence is in prompts/officers.yaml.
 *
 * @example
 * bot.use(officerComposer({ registration, destinations, kb, officerUserIds: [111] }));
 */
import { Composer, InputFile, type Context } from "grammy";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import type { Logger } from "../../logger.ts";
import { toCsv } from "../../registration/csv.ts";
import { caseTexts } from "../../registration/texts.ts";
import { UNROUTED, type Destinations } from "../../registration/routing.ts";
import type { RegistrationService } from "../../registration/service.ts";
import { vnDay } from "../../registration/store.ts";
import { CASE_ID_PATTERN, CASE_ID_RE, CASE_STATUSES, type CaseStatus, type Registration } from "../../registration/types.ts";
import { fold } from "../../text/normalize.ts";
import { fill } from "../../text/wording.ts";
import { caseCardHtml, caseKeyboard, placeNames, updatedCardHtml } from "./case-card.ts";
import { officerTexts } from "./officer-texts.ts";

export interface OfficerOptions {
  registration: RegistrationService;
  destinations: Destinations;
  kb: KnowledgeBase;
  /** Officers allowed in any chat (deploy-time), besides every member of an office group. */
  officerUserIds?: Array<number | string>;
  logger?: Logger;
}

/** /cases shows this many, the newest; /export has them all. */
const CASES_SHOWN = 30;

/**
 * The routing keys each office group works, by chat id: its offices' keys, then the
 * unrouted list if the group takes it. The chats in it are the ones allowed to work cases.
 */
function keysByChat(destinations: Destinations): Map<string, string[]> {
  const byChat = new Map<string, string[]>();
  const add = (chat: string | number | undefined, key: string) => {
    if (chat !== undefined) byChat.set(String(chat), [...(byChat.get(String(chat)) ?? []), key]);
  };
  for (const [key, d] of Object.entries(destinations.offices)) add(d.telegramChatId, key);
  add(destinations.unrouted?.telegramChatId, UNROUTED);
  return byChat;
}

/** "da tu van", "counselled", "tư vấn" → a status. */
function parseStatus(kb: KnowledgeBase, text: string): CaseStatus | undefined {
  const f = fold(text).trim();
  if (!f) return undefined;
  if ((CASE_STATUSES as readonly string[]).includes(f)) return f as CaseStatus;
  return CASE_STATUSES.find((s) => fold(caseTexts(kb).status[s]).includes(f));
}

/** "2026-11" or "2026-11-01 2026-11-30" (Vietnam days): a period; nothing means all time. */
function parsePeriod(args: string[]): { from?: string; to?: string } | undefined {
  const ok = (s: string) => /^\d{4}-\d{2}(-\d{2})?$/.test(s);
  if (args.length === 0) return {};
  if (args.length === 1 && ok(args[0]!)) return { from: args[0], to: args[0] };
  if (args.length === 2 && ok(args[0]!) && ok(args[1]!)) return { from: args[0], to: args[1] };
  return undefined;
}

export function officerComposer(options: OfficerOptions): Composer<Context> {
  const { registration, kb, logger } = options;
  const t = officerTexts(kb);
  const names = placeNames(kb);
  const groups = keysByChat(options.destinations);
  const officers = new Set((options.officerUserIds ?? []).map(String));
  const allowed = (ctx: Context) =>
    (ctx.chat !== undefined && groups.has(String(ctx.chat.id))) || (ctx.from !== undefined && officers.has(String(ctx.from.id)));

  /**
   * The routing keys an office group works: its own cases only. An allow-listed officer in
   * a private chat sees every office (undefined = no filter).
   */
  const scope = (ctx: Context): string[] | undefined => {
    if (ctx.chat?.type === "private") return undefined;
    return groups.get(String(ctx.chat?.id)) ?? [];
  };
  const inScope = (ctx: Context, reg: Registration) => {
    const keys = scope(ctx);
    return keys === undefined || keys.includes(reg.routedTo);
  };

  // Only allow-listed chats and officers get past this; everything else in a group,
  // handled or not, ends at the bot's "stay out of groups" rule (bot.ts).
  const root = new Composer<Context>();
  const staff = root.filter(allowed);

  staff.callbackQuery(new RegExp(`^st:(${CASE_ID_PATTERN}):([a-z_]+)$`), async (ctx) => {
    const [, id, status] = ctx.match;
    if (!(CASE_STATUSES as readonly string[]).includes(status!)) return ctx.answerCallbackQuery();
    const by = `tg:${ctx.from.id}`;
    const current = await registration.store.get(id!);
    if (current && !inScope(ctx, current)) return ctx.answerCallbackQuery({ text: t.status_press.other_office });
    const change = await registration.store.setStatus(id!, status as CaseStatus, by);
    // The card shows the case as it now is; a case whose person deleted their data stays hidden.
    const reg = current && { ...current, status: status as CaseStatus };
    await ctx.answerCallbackQuery({ text: reg ? `${id}: ${caseTexts(kb).status[status as CaseStatus]}` : t.status_press.deleted });
    if (!reg) return;
    const who = ctx.from.username ? `@${ctx.from.username}` : ctx.from.first_name;
    await ctx
      .editMessageText(updatedCardHtml(kb, reg, who, new Date()), {
        parse_mode: "HTML",
        reply_markup: caseKeyboard(kb, reg.id),
      })
      .catch(() => undefined);
    // Tell the worker, in plain words, when they came through Telegram and the status really changed.
    const worker = /^telegram:(\d+)$/.exec(reg.userKey)?.[1];
    if (change && worker) {
      await ctx.api
        .sendMessage(Number(worker), fill(t.worker.status_changed, { case_id: reg.id, status: caseTexts(kb).status_for_worker[reg.status] }))
        .catch((err: Error) => logger?.warn({ err: err.message, caseId: reg.id }, "worker not notified"));
    }
  });

  staff.command("cases", async (ctx) => {
    const arg = ctx.match.trim();
    const status = arg ? parseStatus(kb, arg) : undefined;
    if (arg && !status) {
      return ctx.reply(fill(t.cases.unknown_status, { given: arg, statuses: CASE_STATUSES.join(", ") }));
    }
    const list = await registration.store.list({ ...(status ? { status } : {}), routedTo: scope(ctx) });
    if (!list.length) return ctx.reply(t.cases.none);
    const lines = list.slice(-CASES_SHOWN).map((r) => `${r.id} · ${r.fullName} · ${caseTexts(kb).status[r.status]} · ${vnDay(r.createdAt)}`);
    const more = list.length > CASES_SHOWN ? `\n${fill(t.cases.more, { shown: CASES_SHOWN, count: list.length })}` : "";
    return ctx.reply(`${lines.join("\n")}${more}`);
  });

  staff.command("case", async (ctx) => {
    const id = ctx.match.trim().toUpperCase();
    if (!CASE_ID_RE.test(id)) return ctx.reply(t.case.usage);
    const found = await registration.store.get(id);
    const reg = found && inScope(ctx, found) ? found : undefined;
    if (!reg) return ctx.reply(fill(t.case.not_here, { case_id: id }));
    return ctx.reply(caseCardHtml(kb, reg), { parse_mode: "HTML", reply_markup: caseKeyboard(kb, reg.id) });
  });

  staff.command("export", async (ctx) => {
    const period = parsePeriod(ctx.match.trim().split(/\s+/).filter(Boolean));
    if (!period) return ctx.reply(t.export.usage);
    const regs = await registration.store.list({ ...period, routedTo: scope(ctx) });
    // The one bulk way out of personal data: recorded, never logged with contents.
    await registration.store.recordAudit({ action: "export", by: `tg:${ctx.from?.id}`, at: new Date().toISOString(), detail: `${regs.length} rows` });
    logger?.info({ count: regs.length, chat: ctx.chat?.id }, "cases exported");
    const file = new InputFile(Buffer.from(toCsv(regs, { names, texts: caseTexts(kb) }), "utf8"), fill(t.export.file_name, { period: period.from ?? t.export.all_time }));
    return ctx.replyWithDocument(file, { caption: fill(t.export.caption, { count: regs.length }) });
  });

  staff.command("stats", async (ctx) => {
    const period = parsePeriod(ctx.match.trim().split(/\s+/).filter(Boolean));
    if (!period) return ctx.reply(t.stats.usage);
    const s = await registration.store.stats({ ...period, routedTo: scope(ctx) });
    const markets = Object.entries(s.byMarket).map(([m, c]) => `  ${m}: ${c.registered}`).join("\n");
    const provinces = Object.entries(s.byProvince)
      .map(([p, c]) => `  ${names.province(p) ?? p}: ${c.registered}`)
      .join("\n");
    const communes = Object.entries(s.byCommune)
      .filter(([c]) => c !== "")
      .map(([c, n]) => `  ${names.commune(c) ?? c}: ${n.registered}`)
      .join("\n");
    const groupsText = Object.entries(s.byPriorityGroup)
      .filter(([, c]) => c.registered > 0)
      .map(([g, c]) => `  ${caseTexts(kb).priority[g as keyof ReturnType<typeof caseTexts>["priority"]]}: ${c.registered}`)
      .join("\n");
    return ctx.reply(
      [
        fill(t.stats.totals, { registered: s.registered, counselled: s.counselled, signed_up: s.signedUp }),
        markets && `${t.stats.by_market}\n${markets}`,
        provinces && `${t.stats.by_province}\n${provinces}`,
        communes && `${t.stats.by_commune}\n${communes}`,
        groupsText && `${t.stats.by_priority_group}\n${groupsText}`,
      ]
        .filter(Boolean)
        .join("\n"),
    );
  });

  // An officer's reply to a question card goes back to the worker who asked.
  staff.on("message:text", async (ctx, next) => {
    const replyTo = ctx.message.reply_to_message?.message_id;
    const questionId = replyTo !== undefined ? await registration.questionForMessage(ctx.chat.id, replyTo) : undefined;
    if (!questionId) return next();
    const q = await registration.answerQuestion(questionId, ctx.message.text, `tg:${ctx.from.id}`);
    if (!q) return ctx.reply(t.answer.question_gone);
    const worker = /^telegram:(\d+)$/.exec(q.userKey)?.[1];
    if (worker) {
      await ctx.api.sendMessage(Number(worker), fill(t.worker.officer_answer, { case_id: q.caseId, answer: q.answer!.text }));
      return ctx.reply(fill(t.answer.sent, { case_id: q.caseId }));
    }
    return ctx.reply(fill(t.answer.saved, { case_id: q.caseId }));
  });

  return root;
}

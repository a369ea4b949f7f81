/**
 * What officers read in their Telegram group: a case card (HTML, every value escaped) with
 * its status buttons, and a worker's question. Sent by the hand-off (handoff.ts) and shown
 * again by /case and after a status press (officers.ts). Wording: prompts/officers.yaml.
 *
 * @example
 * await api.sendMessage(chatId, caseCardHtml(kb, reg), { parse_mode: "HTML", reply_markup: caseKeyboard(kb, reg.id) });
 */
import { InlineKeyboard } from "grammy";
import type { KnowledgeBase } from "../../knowledge/load.ts";
import { caseTexts } from "../../registration/texts.ts";
import type { OfficerQuestion } from "../../registration/service.ts";
import { vnDay } from "../../registration/store.ts";
import type { CaseStatus, Registration } from "../../registration/types.ts";
import { escapeHtml, fill } from "../../text/wording.ts";
import { officerTexts } from "./officer-texts.ts";

/** The buttons under a case card; callback data "st:<case id>:<status>" fits Telegram's 64 bytes. */
const BUTTON_STATUSES: CaseStatus[] = ["received", "contacted", "unreachable", "counselled", "signed_up", "closed"];

/** Province and commune names by id, for cards, exports and statistics. */
export function placeNames(kb: KnowledgeBase) {
  return {
    province: (id: string) => kb.offices.provinces.find((p) => p.id === id)?.name,
    commune: (id: string) => kb.offices.communes.find((c) => c.id === id)?.name,
  };
}

function placeName(kb: KnowledgeBase, reg: Registration): string {
  const names = placeNames(kb);
  const province = names.province(reg.provinceId) ?? reg.provinceId;
  const commune = reg.communeId ? names.commune(reg.communeId) : reg.placeTyped;
  return commune ? `${commune}, ${province}` : province;
}

/** A case as officers read it; `inDoubt` (a resend after a crash) adds "may be a repeat". */
export function caseCardHtml(kb: KnowledgeBase, reg: Registration, inDoubt = false): string {
  const t = officerTexts(kb).card;
  const f = t.fields;
  const rows: Array<[string, string | undefined]> = [
    [f.full_name, reg.fullName],
    [f.phone, reg.phone.replace(/^\+84/, "0")],
    [f.birth_year, String(reg.birthYear)],
    [f.place, placeName(kb, reg)],
    [f.markets, reg.markets.join(", ")],
    [f.trade, reg.trade],
    [f.language, reg.languageLevel],
    [f.priority_group, caseTexts(kb).priority[reg.priorityGroup]],
    [f.contact_time, reg.contactTime],
    [f.note, reg.note],
    [f.status, caseTexts(kb).status[reg.status]],
  ];
  const head = `<b>${escapeHtml(fill(t.title, { case_id: reg.id }))}</b> ${escapeHtml(fill(t.registered, { date: vnDay(reg.createdAt) }))}`;
  // After a crash mid-send the card may arrive twice; say so rather than hide it.
  const repeat = inDoubt ? `\n<i>${escapeHtml(t.maybe_repeat)}</i>` : "";
  return `${head}${repeat}\n${rows.filter(([, v]) => v).map(([k, v]) => `${escapeHtml(k)}: ${escapeHtml(v!)}`).join("\n")}`;
}

/** The card after a status press: who pressed and when (UTC). */
export function updatedCardHtml(kb: KnowledgeBase, reg: Registration, who: string, at: Date): string {
  const note = fill(officerTexts(kb).card.updated_by, { who, time: at.toISOString().slice(0, 16).replace("T", " ") });
  return `${caseCardHtml(kb, reg)}\n<i>${escapeHtml(note)}</i>`;
}

export function caseKeyboard(knowledge: KnowledgeBase, caseId: string): InlineKeyboard {
  const kb = new InlineKeyboard();
  BUTTON_STATUSES.forEach((s, i) => {
    kb.text(caseTexts(knowledge).status[s], `st:${caseId}:${s}`);
    if (i % 2 === 1) kb.row();
  });
  return kb;
}

/** A worker's question as it arrives in the group; an officer's reply to it goes back to the worker. */
export function questionCardHtml(kb: KnowledgeBase, question: OfficerQuestion, reg: Registration): string {
  const t = officerTexts(kb).question;
  return [
    `<b>${escapeHtml(fill(t.title, { question_id: question.id }))}</b> ${escapeHtml(fill(t.from, { name: reg.fullName }))}`,
    escapeHtml(question.text),
    `<i>${escapeHtml(t.hint)}</i>`,
  ].join("\n");
}

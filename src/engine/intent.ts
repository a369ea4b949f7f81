/**
 * Intent routing by explicit rules over the folded text (no diacritics, no punctuation).
 * Rules run in a fixed order because messages often carry two signals: "vay tiền ký quỹ"
 * is about a loan, "bị lừa thì báo ở đâu" asks where to report, "công ty bắt ký quỹ 50
 * triệu có đúng không" asks us to check a charge. The knowledge base then has the last
 * word: a question it does not cover is not answered, whatever its intent (see compose.ts).
 *
 * @example
 * ruleIntent("vay tien ky quy di han eps duoc bao nhieu"); // "loan"
 * ruleIntent("cty doi 5 thang luong tien dich vu co dung ko"); // "fee_check"
 * ruleIntent("xkld nhat"); // undefined → a question for the knowledge base ("qa")
 */
import { ruleText } from "../text/normalize.ts";
import type { Intent } from "../contract.ts";

const GREETING_RE =
  /^(xin chao|chao|hello|hi|hey|alo|a lo|good (morning|afternoon|evening))( (ban|ad|admin|em|anh|chi|bot|tro ly|moi nguoi|shop))*( oi)?( a| nhe| nha)?$/;
const HELP_RE =
  /^(help|huong dan|tro giup|giup (toi|em|minh)( voi)?|(ban|bot|em) (lam|giup) (duoc|dc) (gi|nhung gi)( cho (toi|em|minh))?|(ban|em|bot) la ai|what can you do|how (do|can) i use( this| you)?|huong dan (toi|em|minh) (cach dung|cach su dung|cach hoi)( voi)?|(bot|ban|em) (nay )?hoi (duoc|dc) (gi|nhung gi)( vay)?|(cach dung|cach su dung)( bot| tro ly)?)$/;
/** Topics people ask chat bots about that have nothing to do with working abroad. */
const OFF_TOPIC_RE =
  /\b(gia vang|vang sjc|bong da|ty so|world cup|thoi tiet|xo so|xsmb|lo de|(xin|danh|choi|soi) so de|so de (hom nay|mai)|chung khoan|co phieu|bitcoin|tien ao|tu vi|cung hoang dao|boi bai|cong thuc nau|nau an|phim|ca si|bai hat|game|tro choi|ly hon|ket hon|weather|football|lottery|stock price|gold price)\b|\bda voi\b.*\bmay gio\b/;

/** Asking for a person instead of the bot. */
const HANDOFF_RE =
  /\b(noi chuyen|gap|gap truc tiep|ket noi|chuyen) (voi |cho )?(can bo|nhan vien|tu van vien|nguoi that|admin|nguoi phu trach)\b|\bnguoi that\b|\b(real person|human|an agent|an officer|a person)\b|\bmuon gap can bo\b/;
/** Borrowing: "vay" as a verb, not the filler "vậy" ("vay co dung ko" is "vậy có đúng không"). */
const LOAN_RE =
  /\bvay (von|vonn|tien|ngan hang|nhcsxh|ky quy|uu dai|tin chap|the chap|\d+\w*|duoc|bao|o dau|di|de|cho)\b|\b(nhcsxh|ngan hang chinh sach|giai ngan|lai suat|a loan|loans?( from| to)|borrow)\b|\b(thoi han|ho so|thu tuc|dieu kien|giay to|muc) vay\b/;
/** Where to report or complain: an office question even when it mentions being cheated. */
const REPORT_WHERE_RE =
  /\b(bao|to cao|to giac|trinh bao|phan anh|gui don|khieu nai|kien)( \w+){0,4} (o dau|den dau|cho ai|voi ai|noi nao|cho nao)\b/;
/** How a company or person is punished: a question about penalties, answered from the knowledge. */
const PENALTY_RE = /\b(cty|cong ty|doanh nghiep|chi nhanh|ca nhan|to chuc)\b.*\b(bi phat|bi xu ly|bi xu phat|xu phat|che tai|thu hoi giay phep)\b/;
/** Red flags of illegal recruitment, and plain "is this a scam?". */
const SCAM_RE =
  /\b(lua|lua dao|lua gat|bip|scam|fraud|fake|an toan (ko|khong|k)|khong can (thi|hop dong|giay to|tieng|hoc tieng)|ko can (thi|hop dong|giay to|tieng)|visa du lich|tai khoan ca nhan|tk ca nhan|phi (tuyen chon|chuan bi nguon|giu cho|giu suat|dat cho)|giu (cho|suat)|cam ket (do|dau|bay)|bao (do|dau)|(khong|ko) co ten trong danh sach|khong co giay phep|ko co giay phep)\b|\bdu hoc\b.*\b(di lam|lam viec)\b/;
/** A question whether a demand is lawful. */
const LEGALITY_RE = /\b(co dung|dung luat|dung quy dinh|hop phap|hop le|co sai|sai luat|sai khong|bi chem|trai luat|co duoc phep)\b|\bis (this|that|it) (legal|allowed)\b/;
/** A sum of money or months of salary, as people write it. */
const AMOUNT_RE = /\b\d+([.,]\d+)?\s*(tr|trieu|cu|m|k|nghin|ngan|do|usd|\$|yen|man|te)\b|\$\s*\d|\b\d+([.,]\d+)? thang luong\b|\b(mot|hai|ba|bon|nam|sau) thang luong\b/;
/** Charges a recruiter may demand. */
const CHARGE_RE = /\b(tien dich vu|phi dich vu|phi dv|tien dv|moi gioi|phi gioi thieu|ky quy|tien coc|tron goi|chi phi|phi|thu|doi|bat dong|bat nop)\b/;
/** Who demands it. */
const DEMANDER_RE = /\b(cty|cong ty|doanh nghiep|chi nhanh|ong|ba|nguoi|ho|trung tam|moi gioi|nhan vien)\b/;
const DEPOSIT_RE = /\b(ky quy|ky quyy|deposit|tien ky quy)\b/;
const REGISTER_RE =
  /\b(muon|can|xin|dinh) dang ky\b|\bbat dau tu dau\b|\b(register|sign up)\b/;
const WHERE_RE =
  /\b(o dau|den dau|cho nao|noi nao|hoi ai|hoi o dau|lien he (dau|ai|o dau|voi ai)|gap ai|where|who (do|should|can) i)\b|\b(phong|so|trung tam) (lao dong|ldtbxh|noi vu|dich vu viec lam)\b.*\b(duoc khong|dc ko|duoc ko|con khong|con ko)\b/;

/**
 * A plain wish to register ("Tôi muốn đăng ký đi làm việc ở nước ngoài"), or the form's
 * own words ("đăng ký nhận tư vấn"): the form starts. A question about registering
 * ("… thì bắt đầu từ đâu?") is answered instead, with the form offered.
 */
const REGISTER_NOW_RE =
  /^(toi|em|minh|con|chau|anh|chi)? ?(muon|can|xin|dinh) dang ky( di)?( lam viec| xuat khau lao dong| xkld| lao dong| lam)?( o)?( nuoc ngoai)?( a| nhe| voi)?$|^dang ky (nhan tu van|di lam viec nuoc ngoai)$/;

export function startsRegistration(text: string): boolean {
  return REGISTER_NOW_RE.test(ruleText(text));
}

/** Folded, punctuation-free text the rules read. */
export function intentText(text: string): string {
  return ruleText(text, "$");
}

/**
 * Subjects a message mentions, whatever its main intent: "vay tiền ký quỹ" mentions both
 * a loan and a deposit. The answerer uses this to prefer cards about what was asked.
 */
export function mentionedSubjects(text: string): Set<"loan" | "deposit"> {
  const f = intentText(text);
  const out = new Set<"loan" | "deposit">();
  if (LOAN_RE.test(f)) out.add("loan");
  if (DEPOSIT_RE.test(f)) out.add("deposit");
  return out;
}

/** Intent decided by rules alone, or undefined when the question is plain Q&A. */
export function ruleIntent(text: string): Intent | undefined {
  const f = intentText(text);
  if (!f) return undefined;
  if (GREETING_RE.test(f)) return "greeting";
  if (HELP_RE.test(f)) return "help";
  if (OFF_TOPIC_RE.test(f)) return "out_of_scope";
  if (HANDOFF_RE.test(f)) return "handoff";
  if (LOAN_RE.test(f)) return "loan";
  if (REPORT_WHERE_RE.test(f)) return "find_office";
  if (PENALTY_RE.test(f)) return undefined;
  if (SCAM_RE.test(f)) return "scam_check";
  const charge = CHARGE_RE.test(f);
  if (charge && ((AMOUNT_RE.test(f) && DEMANDER_RE.test(f)) || LEGALITY_RE.test(f))) return "fee_check";
  if (DEPOSIT_RE.test(f)) return "deposit";
  if (REGISTER_RE.test(f)) return "register";
  if (WHERE_RE.test(f)) return "find_office";
  return undefined;
}

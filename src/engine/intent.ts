/**
 * Explicit intent rules that run before retrieval: greetings, requests for help and
 * clearly unrelated topics. Everything else is a question for the knowledge base, whose
 * relevance check has the last word (an uncovered question becomes out_of_scope).
 */
import { fold } from "../text/normalize.ts";
import type { Intent } from "./types.ts";

const GREETING_RE =
  /^(xin chao|chao|hello|hi|hey|alo|a lo|good (morning|afternoon|evening))( (ban|ad|admin|em|anh|chi|bot|tro ly|moi nguoi|shop))*( a| nhe| nha)?$/;
const HELP_RE =
  /^(help|huong dan|tro giup|giup (toi|em|minh)( voi)?|(ban|bot|em) (lam|giup) (duoc|dc) (gi|nhung gi)|(ban|em|bot) la ai|what can you do|how (do|can) i use( this| you)?)$/;
/** Topics people ask chat bots about that have nothing to do with working abroad. */
const OFF_TOPIC_RE =
  /\b(gia vang|vang sjc|bong da|ty so|world cup|thoi tiet|xo so|xsmb|lo de|chung khoan|co phieu|bitcoin|tien ao|tu vi|cung hoang dao|boi bai|cong thuc nau|nau an|phim|ca si|bai hat|game|tro choi|weather|football|lottery|stock price|gold price)\b/;

/** Intent decided by rules alone, or undefined when the knowledge base should decide. */
export function ruleIntent(text: string): Intent | undefined {
  const f = fold(text).replace(/[^\p{L}\p{N} ]+/gu, " ").replace(/\s+/g, " ").trim();
  if (!f) return undefined;
  if (GREETING_RE.test(f)) return "greeting";
  if (HELP_RE.test(f)) return "help";
  if (OFF_TOPIC_RE.test(f)) return "out_of_scope";
  return undefined;
}

/**
 * Destination markets and jobs as people name them ("đi nhật", "sang Đài", "Ma-lai-xi-a",
 * "dubai", "Germany", "osin", "tàu cá xa bờ"), mapped to the vocabulary of the fee and
 * deposit tables. The one place the tools read destinations from.
 *
 * Short names are ordinary words too: "nhật" (chủ nhật), "đức" (đạo đức), "pháp" (pháp
 * luật), "hàn" (thợ hàn), "đài" (radio), and without diacritics "nhat" is also "nhất". So
 * a one-syllable country counts only after a destination word ("đi", "sang", "ở"…);
 * longer names ("đài loan", "hàn quốc", "malaysia") count anywhere.
 *
 * @example
 * parseMarket("di dai loan lam nha may"); // "taiwan"
 * parseMarket("nhiều nhất bao nhiêu");     // undefined
 * parseDestination("Ma-lai-xi-a");         // { market: "malaysia", name: "Malaysia", eps: false }
 * parseJob("cham soc nguoi gia tai nha");  // "home_caregiver"
 */
import { fold, nfcLower, ruleText } from "../text/normalize.ts";
import type { Job, Market } from "../skills/fee/check.ts";

export interface Destination {
  market: Market;
  /** Plain Vietnamese name of what was recognised ("Đức", "Malaysia", "Hàn Quốc"). */
  name: string;
  /** The text named the EPS programme (Korea, the state route). */
  eps: boolean;
}

/**
 * Names people type. Each phrase matches typed with these exact diacritics or with none
 * at all; phrases starting with "=" match only with their diacritics ("lào" must not
 * catch "lao động").
 */
const MARKET_NAMES: Array<{ market: Market; name: string; phrases: string[] }> = [
  { market: "taiwan", name: "Đài Loan", phrases: ["đài loan", "taiwan", "tai wan", "đài bắc", "đài trung", "cao hùng", "đào viên", "đài nam"] },
  { market: "korea", name: "Hàn Quốc", phrases: ["hàn quốc", "korea", "south korea", "nam hàn", "xứ hàn", "seoul", "eps"] },
  { market: "japan", name: "Nhật Bản", phrases: ["nhật bản", "japan", "nihon", "tokyo", "osaka", "xứ phù tang"] },
  { market: "americas", name: "châu Mỹ",
    phrases: ["châu mỹ", "hoa kỳ", "usa", "america", "united states", "canada", "ca na đa", "brazil", "mexico", "chile", "argentina", "peru", "colombia", "cuba", "nam mỹ", "bắc mỹ"],
  },
  { market: "malaysia", name: "Malaysia", phrases: ["malaysia", "ma lai", "mã lai", "malay", "ma lai xi a", "ma lay xi a"] },
  { market: "southeast_asia", name: "Singapore", phrases: ["singapore", "sing", "xinh ga po", "xing ga po"] },
  { market: "southeast_asia", name: "Thái Lan", phrases: ["thái lan", "thailand"] },
  { market: "southeast_asia", name: "Lào", phrases: ["=lào", "laos"] },
  { market: "southeast_asia", name: "Campuchia", phrases: ["campuchia", "cam pu chia", "cambodia"] },
  { market: "southeast_asia", name: "In-đô-nê-xi-a", phrases: ["indonesia", "in đô nê xi a", "in do"] },
  { market: "southeast_asia", name: "Phi-líp-pin", phrases: ["philippines", "philippin", "phi líp pin", "phi lip pin"] },
  { market: "southeast_asia", name: "Bru-nây", phrases: ["brunei", "bru nây"] },
  { market: "southeast_asia", name: "Mi-an-ma", phrases: ["myanmar", "mi an ma"] },
  { market: "southeast_asia", name: "Đông Ti-mo", phrases: ["timor", "đông ti mo"] },
  { market: "southeast_asia", name: "Đông Nam Á", phrases: ["đông nam á", "southeast asia", "asean"] },
  { market: "middle_east", name: "Trung Đông",
    phrases: [
      "trung đông", "middle east", "tây á", "ả rập", "a rập", "ả rập xê út", "saudi", "saudi arabia", "uae", "dubai", "abu dhabi",
      "tiểu vương quốc", "qatar", "ca ta", "kuwait", "cô oét", "oman", "ô man", "bahrain", "ba ranh", "israel", "i xra en", "jordan",
      "gioóc đa ni", "iraq", "i rắc", "iran", "lebanon", "li băng", "yemen", "syria", "xi ri",
    ],
  },
  { market: "germany", name: "Đức", phrases: ["germany", "deutschland"] },
  { market: "europe", name: "châu Âu", phrases: ["châu âu", "europe", "eu", "đông âu", "tây âu", "bắc âu"] },
  { market: "europe", name: "Ru-ma-ni", phrases: ["romania", "rumani", "ru ma ni"] },
  { market: "europe", name: "Ba Lan", phrases: ["ba lan", "poland"] },
  { market: "europe", name: "Hung-ga-ri", phrases: ["hungary", "hung ga ri", "hungari"] },
  { market: "europe", name: "Séc", phrases: ["=séc", "czech", "cộng hòa séc", "cộng hoà séc"] },
  { market: "europe", name: "Xlô-va-ki-a", phrases: ["slovakia", "xlô va ki a"] },
  { market: "europe", name: "Bun-ga-ri", phrases: ["bulgaria", "bun ga ri"] },
  { market: "europe", name: "Xéc-bi-a", phrases: ["serbia", "xéc bi a"] },
  { market: "europe", name: "Crô-a-ti-a", phrases: ["croatia", "crô a ti a"] },
  { market: "europe", name: "Xlô-ven-ni-a", phrases: ["slovenia"] },
  { market: "europe", name: "Bồ Đào Nha", phrases: ["bồ đào nha", "portugal"] },
  { market: "europe", name: "Tây Ban Nha", phrases: ["tây ban nha", "spain"] },
  { market: "europe", name: "Ý", phrases: ["italia", "italy"] },
  { market: "europe", name: "Pháp", phrases: ["france"] },
  { market: "europe", name: "Hà Lan", phrases: ["hà lan", "netherlands", "holland"] },
  { market: "europe", name: "Bỉ", phrases: ["=bỉ", "belgium"] },
  { market: "europe", name: "Phần Lan", phrases: ["phần lan", "finland"] },
  { market: "europe", name: "Thụy Điển", phrases: ["thụy điển", "thuỵ điển", "sweden"] },
  { market: "europe", name: "Đan Mạch", phrases: ["đan mạch", "denmark"] },
  { market: "europe", name: "Na Uy", phrases: ["na uy", "norway"] },
  { market: "europe", name: "Anh", phrases: ["anh quốc", "vương quốc anh", "nước anh", "uk", "england", "britain"] },
  { market: "europe", name: "Ai-len", phrases: ["ireland", "ai len"] },
  { market: "europe", name: "Áo", phrases: ["austria"] },
  { market: "europe", name: "Thụy Sĩ", phrases: ["thụy sĩ", "thuỵ sĩ", "switzerland"] },
  { market: "europe", name: "Hy Lạp", phrases: ["hy lạp", "greece"] },
  { market: "europe", name: "Man-ta", phrases: ["malta", "man ta"] },
  { market: "europe", name: "Síp", phrases: ["=síp", "cyprus"] },
  { market: "europe", name: "các nước Ban-tích", phrases: ["lithuania", "latvia", "estonia"] },
  { market: "europe", name: "Nga", phrases: ["russia", "liên bang nga"] },
  { market: "europe", name: "Bê-la-rút", phrases: ["belarus", "bê la rút"] },
  { market: "europe", name: "U-crai-na", phrases: ["ukraine", "u crai na"] },
  { market: "china", name: "Trung Quốc", phrases: ["trung quốc", "china", "tq"] },
  { market: "macau", name: "Ma Cao", phrases: ["ma cao", "macau", "macao"] },
  { market: "other", name: "Hồng Kông", phrases: ["hồng kông", "hong kong"] },
  { market: "other", name: "Mông Cổ", phrases: ["mông cổ", "mongolia"] },
  { market: "other", name: "Ấn Độ", phrases: ["ấn độ", "india"] },
  { market: "australia", name: "Úc", phrases: ["australia", "nước úc", "châu úc"] },
  { market: "other", name: "Niu Di-lân", phrases: ["new zealand", "niu di lân"] },
  { market: "other", name: "châu Phi", phrases: ["châu phi", "africa", "algeria", "angola", "libya", "mozambique", "nam phi"] },
];

function wordsOf(text: string): string[] {
  return nfcLower(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A market phrase split once: its words, folded, and whether it must match with its accents ("=nhất"). */
interface MarketPhrase {
  market: Market;
  name: string;
  exactOnly: boolean;
  parts: string[];
  folded: string[];
}

const MARKET_PHRASES: MarketPhrase[] = MARKET_NAMES.flatMap(({ market, name, phrases }) =>
  phrases.map((phrase) => {
    const exactOnly = phrase.startsWith("=");
    const parts = wordsOf(exactOnly ? phrase.slice(1) : phrase);
    return { market, name, exactOnly, parts, folded: parts.map(fold) };
  }),
);

/** Index of the first place the phrase occurs in the words (`folded[i]` = fold of `words[i]`), or -1. */
function phraseAt(words: string[], folded: string[], phrase: MarketPhrase): number {
  const { parts } = phrase;
  for (let i = 0; i + parts.length <= words.length; i++) {
    const ok = parts.every((p, k) => {
      const w = words[i + k]!;
      if (w === p) return true;
      // Typed without any diacritics: compare folded.
      return !phrase.exactOnly && w === folded[i + k] && w === phrase.folded[k];
    });
    if (ok) return i;
  }
  return -1;
}

/** One-syllable names, only after a destination word. Patterns run on folded text. */
const MARKET_RULES: Array<[Market, RegExp]> = [
  ["korea", /\b(han quoc|korea|eps|e ?9|(di|sang|o|ben|qua|xkld|tts) han)\b/],
  ["taiwan", /\b(dai loan|taiwan|(di|sang|o|ben|qua|xkld) dai)\b/],
  ["japan", /\b(nhat ban|japan|(di|sang|o|ben|qua|xkld|tts|lam) nhat)\b/],
  ["germany", /\b(germany|(di|sang|o|ben|qua|nuoc) duc)\b/],
  ["malaysia", /\b(malaysia|malay|ma lai)\b/],
  ["macau", /\b(ma cao|macau|macao)\b/],
  ["middle_east", /\b(trung dong|tay a|a rap|saudi|dubai|uae|qatar|kuwait|oman|israel|middle east)\b/],
  ["europe", /\b(chau au|(di|sang|o|ben|qua|nuoc) (nga|phap|y|anh))\b/],
  ["china", /\b(trung quoc|china|sung ta|quang tay|bien gioi)\b/],
  ["australia", /\b(australia|(di|sang|o|qua) uc)\b/],
  ["americas", /\b(canada|chau my|hoa ky|(di|sang|o|qua) my)\b/],
  ["southeast_asia", /\b(singapore|brunei|thai lan|thailand|campuchia|philippines|indonesia|dong nam a)\b/],
];

const JOB_RULES: Array<[Job, RegExp]> = [
  ["specified_skilled_from_intern", /\b(tokutei|ky nang dac dinh|kdd|ssw)\b.*\b(hoan thanh|xong|het|sau)\b.*\b(tts|thuc tap)\b|\b(tts|thuc tap)\b.*\b(hoan thanh|xong|het)\b.*\b(tokutei|ky nang dac dinh|kdd)\b/],
  ["intern_no3_same_company", /\b(tts|thuc tap sinh|thuc tap) (so )?3\b.*\b(cung|khong doi)\b/],
  ["high_skilled_designated", /\b(ky thuat cao|hoat dong dac dinh|dong tau)\b/],
  ["farfishing_crew", /\b(tau ca xa bo|danh ca xa bo|ca xa bo)\b/],
  ["nearshore_fishing", /\b(tau ca gan bo|danh ca gan bo|ca gan bo|e ?10)\b/],
  ["sea_transport_crew", /\b(tau van tai|van tai bien|thuyen vien|sy quan)\b/],
  ["home_caregiver", /\b(khan ho cong|cham soc nguoi (gia|benh|gia yeu)|caregiver)\b/],
  ["hospital_nursing", /\b(ho ly|y ta|dieu duong)\b/],
  ["domestic_worker", /\b(giup viec|osin|o sin|domestic)\b/],
  ["agriculture", /\b(nong nghiep|trang trai|trong trot|chan nuoi|farm)\b/],
  ["construction", /\b(xay dung|construction)\b/],
  ["factory", /\b(nha may|cong xuong|xuong|factory|che bien|co khi|dien tu)\b/],
  ["intern", /\b(tts|thuc tap sinh|thuc tap)\b/],
];

/** A one-syllable name typed alone ("Nhật", "bên Đài", "nuoc duc"): a form field, a button. */
const SHORT_NAMES: Record<string, [Market, string]> = {
  nhat: ["japan", "nhật"], han: ["korea", "hàn"], dai: ["taiwan", "đài"], duc: ["germany", "đức"], uc: ["australia", "úc"],
  my: ["americas", "mỹ"], nga: ["europe", "nga"], phap: ["europe", "pháp"], anh: ["europe", "anh"],
};

const NAME_OF: Partial<Record<Market, string>> = {
  korea: "Hàn Quốc", taiwan: "Đài Loan", japan: "Nhật Bản", germany: "Đức", australia: "Úc", americas: "châu Mỹ", europe: "châu Âu",
};

/** The destination named in the text (the earliest name wins), or undefined. */
export function parseDestination(text: string | undefined | null): Destination | undefined {
  if (!text) return undefined;
  const words = wordsOf(text);
  const f = ruleText(text);
  const eps = /\b(eps|e ?9|chuong trinh eps|cap phep viec lam)\b/.test(f);
  const folded = words.map(fold);
  let best: { at: number; len: number; market: Market; name: string } | undefined;
  for (const phrase of MARKET_PHRASES) {
    const at = phraseAt(words, folded, phrase);
    const len = phrase.parts.length;
    if (at >= 0 && (!best || at < best.at || (at === best.at && len > best.len))) best = { at, len, market: phrase.market, name: phrase.name };
  }
  if (!best) {
    // Typed without diacritics or with the country's own ("nhất" alone is not Japan).
    const typed = words.join(" ").replace(/^(nước|nuoc|bên|ben|xứ|xu|ở|o|đi|di|sang) /, "");
    const short = SHORT_NAMES[fold(typed)];
    const alone = short && (typed === fold(typed) || typed === short[1]) ? short[0] : undefined;
    const rule = alone ?? MARKET_RULES.find(([, re]) => re.test(f))?.[0];
    if (rule) best = { at: 0, len: 1, market: rule, name: NAME_OF[rule] ?? rule };
  }
  if (!best) return eps ? { market: "korea", name: "Hàn Quốc", eps: true } : undefined;
  return { market: best.market, name: best.name, eps: eps && best.market === "korea" };
}

export function parseMarket(text: string): Market | undefined {
  return parseDestination(text)?.market;
}

export function parseJob(text: string): Job | undefined {
  const f = ruleText(text);
  return JOB_RULES.find(([, re]) => re.test(f))?.[0];
}

/** EPS (the state programme to Korea) or a licensed company; undefined when not said. */
export function parseRoute(text: string): "eps" | "company" | undefined {
  const f = ruleText(text);
  if (/\b(khong phai|ngoai|khong qua) eps\b|\b(qua|theo dien|theo) (cty|cong ty|doanh nghiep)\b/.test(f)) return "company";
  if (/\beps\b/.test(f)) return "eps";
  return undefined;
}

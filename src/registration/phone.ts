/**
 * Vietnamese mobile numbers as people type them: "0912 345 678", "0912.345.678",
 * "+84 912-345-678", "84912345678", "(+84) 0912 345 678", "0084 912 345 678", or with
 * words around ("sđt: 0912345678"). The result is one normalised form, "+84" and 9 digits,
 * or a short reason code the form turns into plain Vietnamese.
 *
 * Rejected with a reason: landlines (02x), 1800/1900 service numbers, the old 11-digit
 * mobile numbers (01xx, renumbered in 2018), foreign numbers, wrong lengths, prefixes that
 * are not mobile, several numbers in one message.
 *
 * Never logs: the number is personal data.
 *
 * @example
 * normalizeVnMobile("0912 345 678");    // { ok: true, phone: "+84912345678" }
 * normalizeVnMobile("024 3825 1234");   // { ok: false, error: "landline" }
 * formatVnMobile("+84912345678");       // "0912 345 678"
 */
import { z } from "zod";

export const PHONE_ERRORS = [
  "empty", "not_a_number", "several_numbers", "foreign", "landline", "service", "old_prefix", "too_short", "too_long", "not_mobile",
] as const;
export type PhoneError = (typeof PHONE_ERRORS)[number];

export type PhoneResult = { ok: true; phone: string } | { ok: false; error: PhoneError };

/**
 * Mobile prefixes in use since the 2018 renumbering (after the leading 0):
 * 032–039, 052/055/056/058/059, 070/076–079, 081–089, 090–099.
 */
const MOBILE_RE = /^(3[2-9]|5[25689]|7[06-9]|8[1-9]|9\d)\d{7}$/;

/** A run that looks like a phone number: digits with spaces, dots, dashes, brackets, a "+". */
const RUN_RE = /[(]?\+?[(]?\d[\d\s.\-()]*/g;

/** Normalises a Vietnamese mobile number to "+84xxxxxxxxx", or says why it cannot. */
export function normalizeVnMobile(text: string): PhoneResult {
  // NFKC turns full-width digits and "＋" from some keyboards into ASCII.
  const s = text.normalize("NFKC").trim();
  if (!s) return { ok: false, error: "empty" };
  const runs = (s.match(RUN_RE) ?? [])
    .map((r) => r.trim())
    .filter((r) => r.replace(/\D/g, "").length >= 6);
  if (runs.length === 0) return { ok: false, error: /\d/.test(s) ? "too_short" : "not_a_number" };
  if (runs.length > 1) return { ok: false, error: "several_numbers" };
  const run = runs[0]!;
  const plus = /^\(?\+/.test(run);
  const digits = run.replace(/\D/g, "");

  let national: string;
  if (plus) {
    if (!digits.startsWith("84")) return { ok: false, error: "foreign" };
    national = digits.slice(2);
  } else if (digits.startsWith("0084")) {
    national = digits.slice(4);
  } else if (digits.startsWith("00")) {
    return { ok: false, error: "foreign" };
  } else if (digits.startsWith("84") && (digits.length === 11 || digits.length === 12)) {
    // 84 + 9 digits, or 84 + 0 + 9 digits; a 9-digit "84…" is an 084 number typed without its 0.
    national = digits.slice(2);
  } else {
    national = digits;
  }
  // "+84 0912…": the national 0 typed after the country code.
  if (national.startsWith("0")) national = national.slice(1);

  if (/^1[89]00/.test(national)) return { ok: false, error: "service" };
  if (national.startsWith("2")) return { ok: false, error: "landline" };
  if (national.startsWith("1") && national.length === 10) return { ok: false, error: "old_prefix" };
  if (national.length < 9) return { ok: false, error: "too_short" };
  if (national.length > 9) return { ok: false, error: "too_long" };
  if (!MOBILE_RE.test(national)) return { ok: false, error: "not_mobile" };
  return { ok: true, phone: `+84${national}` };
}

/** The zod form of `normalizeVnMobile`: a string in, "+84…" out; the issue message is the reason code. */
export const vnMobileSchema = z
  .string()
  .transform((text, ctx) => {
    const r = normalizeVnMobile(text);
    if (r.ok) return r.phone;
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  })
  .pipe(z.string().regex(/^\+84\d{9}$/));

/** "+84912345678" → "0912 345 678", the way people write their number; other text unchanged. */
export function formatVnMobile(phone: string): string {
  const m = /^\+84(\d{3})(\d{3})(\d{3})$/.exec(phone);
  return m ? `0${m[1]} ${m[2]} ${m[3]}` : phone;
}

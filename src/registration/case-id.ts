/**
 * Case ids people read aloud on the phone or copy from a chat: "DK-" + 5 characters from an
 * alphabet without look-alikes (no 0/O, 1/I/L), so "DK-7F3K2" cannot be misread.
 *
 * @example
 * const id = await allocateCaseId(async (id) => (await kv.get(`reg:case:${id}`)) !== undefined);
 */
import { randomInt } from "node:crypto";
import { CASE_ID_RE } from "./types.ts";

/** Exactly the characters CASE_ID_RE allows: 31 symbols, 31^5 ≈ 28.6 million ids. */
export const CASE_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const LENGTH = 5;

/** Returns an integer in [0, maxExclusive). Injectable so tests can force collisions. */
export type RandomInt = (maxExclusive: number) => number;

/** Crypto random by default: ids must not be guessable from one another. */
export function newCaseId(random: RandomInt = randomInt): string {
  let body = "";
  for (let i = 0; i < LENGTH; i++) {
    const n = random(CASE_ID_ALPHABET.length);
    body += CASE_ID_ALPHABET[n] ?? CASE_ID_ALPHABET[0];
  }
  const id = `DK-${body}`;
  // Guards against a broken injected generator rather than the crypto one.
  if (!CASE_ID_RE.test(id)) throw new Error(`case id: generated ${id} does not match CASE_ID_RE`);
  return id;
}

/**
 * Draws ids until `exists` says one is free. Callers hold the store's id lock while calling
 * this and writing the reservation, so two submits in one process cannot take the same id.
 */
export async function allocateCaseId(
  exists: (id: string) => Promise<boolean>,
  random: RandomInt = randomInt,
  maxTries = 50,
): Promise<string> {
  for (let i = 0; i < maxTries; i++) {
    const id = newCaseId(random);
    if (!(await exists(id))) return id;
  }
  // With 28.6 million ids this only happens with a broken generator or a full id space.
  throw new Error(`case id: no free id after ${maxTries} tries`);
}

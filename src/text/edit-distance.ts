/**
 * Whether two strings are at most one edit apart (one letter substituted, inserted or
 * deleted): the slip of a phone keyboard in a typed name ("nghe ann", "thai nguyn").
 * Compares code units, so it is meant for folded text (no diacritics).
 *
 * @example
 * withinOneEdit("thai nguyen", "thai nguyn"); // true
 * withinOneEdit("ha noi", "ha nam");          // false
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

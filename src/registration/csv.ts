/**
 * The officers' export: a CSV that opens in Excel with Vietnamese intact (UTF-8 with BOM,
 * CRLF, RFC 4180 quoting) and cannot run formulas: a cell starting with = + - @ (or tab,
 * CR) gets a leading apostrophe, as does a cell that already starts with one, so
 * `parseCsv` can strip exactly one apostrophe and give back the original text.
 *
 * @example
 * const csv = toCsv(await regs.list({ from: "2026-03-01", to: "2026-03-31" }), { names });
 * await writeFile("dang-ky-2026-03.csv", csv, "utf8");
 */
import type { Registration } from "./types.ts";
import { vnDateTime } from "../text/wording.ts";
import { CSV_COLUMNS, type CaseTexts } from "./texts.ts";

export const BOM = "\uFEFF";
const CRLF = "\r\n";

/** The header row, in the officers' words (prompts/cases.yaml). */
export function csvHeaders(texts: CaseTexts): string[] {
  return CSV_COLUMNS.map((c) => texts.csv_headers[c]);
}

/** Display names for ids (from knowledge/offices and the market list); ids are shown when absent. */
export interface CsvNames {
  province?: (id: string) => string | undefined;
  commune?: (id: string) => string | undefined;
  market?: (id: string) => string | undefined;
}

export interface CsvOptions {
  /** Column, status and group names (caseTexts(kb)). */
  texts: CaseTexts;
  names?: CsvNames;
  /** "," by default; ";" for an Excel whose list separator is ";" (Vietnamese regional settings). */
  delimiter?: "," | ";";
}

/** The display cells of one registration, before guarding and quoting. */
export function csvCells(r: Registration, options: CsvOptions): string[] {
  const names = options.names ?? {};
  const { texts } = options;
  return [
    r.id,
    r.fullName,
    r.phone,
    String(r.birthYear),
    names.province?.(r.provinceId) ?? r.provinceId,
    r.communeId ? (names.commune?.(r.communeId) ?? r.communeId) : (r.placeTyped ?? ""),
    r.markets.map((m) => names.market?.(m) ?? m).join("; "),
    r.trade ?? "",
    r.languageLevel ?? "",
    texts.priority[r.priorityGroup],
    r.contactTime ?? "",
    r.note ?? "",
    texts.status[r.status],
    vnDateTime(r.createdAt),
  ];
}

const FORMULA_START = /^[=+\-@\t\r']/;

/** Makes spreadsheet programs read the cell as text, never as a formula. */
export function guardCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

function quoteCell(value: string, delimiter: string): string {
  return value.includes('"') || value.includes(delimiter) || /[\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A whole table (first row = headers) as CSV text with BOM and CRLF. */
export function formatCsv(rows: readonly (readonly string[])[], delimiter: "," | ";" = ","): string {
  return BOM + rows.map((row) => row.map((cell) => quoteCell(guardCell(cell), delimiter)).join(delimiter) + CRLF).join("");
}

export function toCsv(registrations: readonly Registration[], options: CsvOptions): string {
  return formatCsv([csvHeaders(options.texts), ...registrations.map((r) => csvCells(r, options))], options.delimiter ?? ",");
}

export interface ParseOptions {
  delimiter?: "," | ";";
  /** Strip the one leading apostrophe the writer adds (default true). */
  unguard?: boolean;
}

/**
 * Parses RFC 4180 CSV (BOM, CRLF or LF, quoted fields with doubled quotes and line breaks)
 * into rows of cells, headers included.
 */
export function parseCsv(text: string, options: ParseOptions = {}): string[][] {
  const delimiter = options.delimiter ?? ",";
  const unguard = options.unguard ?? true;
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  let i = 0;
  const endCell = () => {
    row.push(unguard && cell.startsWith("'") ? cell.slice(1) : cell);
    cell = "";
  };
  const endRow = () => {
    endCell();
    rows.push(row);
    row = [];
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) endCell();
    else if (ch === "\r" && src[i + 1] === "\n") {
      endRow();
      i += 1;
    } else if (ch === "\n") endRow();
    else cell += ch;
    i += 1;
  }
  if (quoted) throw new Error("csv: a quoted cell is not closed");
  // A final line without CRLF is still a row; a trailing CRLF does not start an empty one.
  if (cell !== "" || row.length > 0) endRow();
  return rows;
}

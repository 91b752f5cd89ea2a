import { GlassboxError } from "../../errors.js";
import { inputLimits, type InputLimits } from "../../limits.js";
import { csvRecords } from "./records.js";

/** A CSV file's header and rows, every row as long as the header. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** The line each row ends on, for messages. */
  lines: number[];
}

/**
 * Text -> header and rows; an empty file, a header alone, repeated column names or a short row is
 * an error. The delimiter is the one of comma, semicolon and tab that the header line holds most
 * of (outside quotes; a comma on a tie), so semicolon- and tab-separated files read as well.
 */
export function parseCsvTable(text: string, source: string, limits: InputLimits = inputLimits()): CsvTable {
  checkLineLengths(text, source, limits.csvLineChars);
  const records = csvRecords(text, delimiterOf(text), source);
  if (records.length === 0) throw new GlassboxError("BAD_DATA", `${source} is empty: expected a header row and data rows`);
  const header = records[0].cells;
  if (header.length > limits.csvColumns) {
    throw new GlassboxError("BAD_DATA", `${source} has ${header.length} columns; at most ${limits.csvColumns} are read (the input limit csv-columns)`);
  }
  const body = records.slice(1);
  if (body.length === 0) throw new GlassboxError("BAD_DATA", `${source} has a header but no data rows`);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of header) (seen.has(name) ? repeated : seen).add(name);
  if (repeated.size > 0) {
    const names = [...repeated].slice(0, 5).map(quoted).join(", ");
    throw new GlassboxError("BAD_DATA", `${source}: column names must be unique, found ${names}${repeated.size > 5 ? ` and ${repeated.size - 5} other names` : ""} more than once`);
  }
  const lines = body.map((r) => r.line);
  body.forEach(({ cells }, i) => {
    if (cells.length !== header.length) {
      throw new GlassboxError("BAD_DATA", `${rowName(i, lines, source)} has ${cells.length} columns, expected ${header.length} like the header`);
    }
  });
  return { header, rows: body.map((r) => r.cells), lines };
}

function checkLineLengths(text: string, source: string, max: number): void {
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    const end = text.indexOf("\n", start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > max)
      throw new GlassboxError("BAD_DATA", `${source}: line ${line} is ${stop - start} characters long; at most ${max} are read (the input limit csv-line-chars)`);
    if (end < 0) return;
    start = end + 1;
  }
}

/** "row 3 (line 4) of pets.csv" */
export function rowName(i: number, lines: number[], source: string): string {
  return `row ${i + 1} (line ${lines[i]}) of ${source}`;
}

/** The delimiter the first line holds most of, outside double quotes: comma, semicolon or tab. */
export function delimiterOf(text: string): string {
  const counts = new Map([
    [",", 0],
    [";", 0],
    ["\t", 0],
  ]);
  let quoted = false;
  for (let i = 0; i < text.length && i < 1 << 20; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ",";
  for (const [c, n] of counts) if (n > (counts.get(best) ?? 0)) best = c;
  return best;
}

/**
 * A cell read as a decimal number ("3", "-0.5", "1e-3", ".5"), else NaN: hexadecimal ("0x1f"),
 * binary, "Infinity" and the like are not numbers in a table.
 */
export function parseDecimal(cell: string): number {
  // Number() reads exactly /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/ as a finite decimal, and
  // besides that only blanks (as 0) and 0x/0b/0o prefixes; refusing those two is the same test as
  // the pattern, at half its cost (a 100,000-column table reads each cell three times).
  const value = Number(cell);
  if (!Number.isFinite(value)) return Number.NaN;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i) | 0x20; // lower case
    if (c === 0x78 || c === 0x62 || c === 0x6f) return Number.NaN; // x, b, o
  }
  return cell.trim() === "" ? Number.NaN : value;
}

/** A value for a message: in quotes, cut to 100 characters (with how long it is) so a huge cell is not echoed whole. */
export function quoted(text: string): string {
  return text.length <= 100 ? `"${text}"` : `"${text.slice(0, 100)}..." (${text.length} characters)`;
}

/**
 * A CSV file's bytes as text: UTF-8, or, when they are not valid UTF-8, Windows-1252 (Latin-1
 * with the printable 0x80-0x9F of Windows) and a note saying so. Spreadsheets on Windows still
 * write it; refusing such a file would help no one, and silently turning "é" into U+FFFD would
 * change category names.
 */
export function csvText(bytes: Uint8Array, source: string): { text: string; note: string | null } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), note: null };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(bytes), note: `${source} is not UTF-8: read it as Windows-1252 (Latin-1)` };
  }
}

/** The first 20 column names (each cut to 40 characters), for a message. */
export function columnList(header: string[]): string {
  const shown = header.slice(0, 20).map((name) => (name.length > 40 ? `${name.slice(0, 40)}...` : name));
  return `${shown.join(", ")}${header.length > 20 ? ` and ${header.length - 20} more` : ""}`;
}

// The browser build carries its own small Buffer, so the same parser runs in Node and in browsers.
import { parse } from "csv-parse/browser/esm/sync";
import { GlassboxError } from "../../errors.js";

/** A CSV file's header and rows, every row as long as the header. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** The line each row ends on, for messages. */
  lines: number[];
}

/** Text -> header and rows; an empty file, a header alone, repeated column names or a short row is an error. */
export function parseCsvTable(text: string, source: string): CsvTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true, trim: true, bom: true }) as unknown as typeof records;
  } catch (error) {
    throw new GlassboxError("BAD_DATA", `${source} is not valid CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) throw new GlassboxError("BAD_DATA", `${source} is empty: expected a header row and data rows`);
  const header = records[0].record;
  const body = records.slice(1);
  if (body.length === 0) throw new GlassboxError("BAD_DATA", `${source} has a header but no data rows`);
  const repeated = header.filter((name, j) => header.indexOf(name) !== j);
  if (repeated.length > 0) {
    throw new GlassboxError("BAD_DATA", `${source}: column names must be unique, found ${[...new Set(repeated)].map((n) => `"${n}"`).join(", ")} more than once`);
  }
  const lines = body.map((r) => r.info.lines);
  body.forEach(({ record }, i) => {
    if (record.length !== header.length) {
      throw new GlassboxError("BAD_DATA", `${rowName(i, lines, source)} has ${record.length} columns, expected ${header.length} like the header`);
    }
  });
  return { header, rows: body.map((r) => r.record), lines };
}

/** "row 3 (line 4) of pets.csv" */
export function rowName(i: number, lines: number[], source: string): string {
  return `row ${i + 1} (line ${lines[i]}) of ${source}`;
}

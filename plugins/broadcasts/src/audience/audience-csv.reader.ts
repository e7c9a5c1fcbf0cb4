import type { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type CsvError, parse } from 'csv-parse';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { RowError } from '../broadcasts/broadcast.schemas.js';

/** One valid CSV row: the number in E.164, its region, and every cell by column name. */
export interface AudienceRow {
  row: number;
  phone: string;
  country: string | null;
  columns: Record<string, string>;
}

/** A row refused because its number is on an earlier row. */
export interface DuplicateRow {
  row: number;
  phone: string;
  earlier: number;
}

/**
 * Where valid rows go as the file streams in, a batch at a time; answers the rows of the batch
 * whose number an earlier row already has (the store knows: the reader keeps no rows itself).
 */
export type AudienceSink = (rows: AudienceRow[]) => Promise<DuplicateRow[]>;

/** Rows handed to the sink at once. */
const SINK_BATCH = 500;

export interface AudienceCsv {
  /** The valid rows, when no sink was given; empty otherwise (they went to the sink). */
  rows: AudienceRow[];
  /** Row errors in row order, at most `maxErrors`. */
  errors: RowError[];
  /** Data rows read (the header not counted). */
  rowCount: number;
}

export interface AudienceCsvOptions {
  defaultCountry: string;
  /** Columns every row must fill (variables mapped from a column with no fallback). */
  requiredColumns: string[];
  /** Row errors listed at most; the count goes on. */
  maxErrors?: number;
  /** Takes the valid rows in batches instead of the answer's `rows`, so a file of any size reads in flat memory. */
  sink?: AudienceSink;
}

/** A sink that keeps every row in memory and finds duplicates itself: for small files and tests. */
export function audienceInMemory(): { rows: AudienceRow[]; sink: AudienceSink } {
  const rows: AudienceRow[] = [];
  const seen = new Map<string, number>();
  const sink: AudienceSink = async (batch) => {
    const duplicates: DuplicateRow[] = [];
    for (const r of batch) {
      const earlier = seen.get(r.phone);
      if (earlier !== undefined) duplicates.push({ row: r.row, phone: r.phone, earlier });
      else {
        seen.set(r.phone, r.row);
        rows.push(r);
      }
    }
    return duplicates;
  };
  return { rows, sink };
}

const PHONE_COLUMNS = ['phone', 'phone_number', 'number', 'wa_id', 'whatsapp', 'msisdn'];
const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Reads an audience CSV as it streams in: a header row naming a phone column, one customer per
 * row. Each row is checked (the number, normalised to E.164 with the default region; a
 * duplicate; an empty required column; bytes that are not UTF-8) and every problem reported
 * with its row number (the header being row 1) and a stable code with the values its text needs,
 * so an app can say it in the user's language. The caller imports nothing when `errors` is not
 * empty.
 */
export async function readAudienceCsv(input: Readable | string, options: AudienceCsvOptions): Promise<AudienceCsv> {
  const maxErrors = options.maxErrors ?? 1000;
  const errors: RowError[] = [];
  const report = (error: RowError) => {
    if (errors.length < maxErrors) errors.push(error);
  };
  const inMemory = options.sink ? undefined : audienceInMemory();
  const sink = options.sink ?? inMemory!.sink;
  let batch: AudienceRow[] = [];
  let phoneColumn = '';
  // A failure of the sink (the database) is not the file's: it is thrown, not reported as a row error.
  let sinkFailure: { error: unknown } | undefined;
  const flush = async () => {
    const duplicates = await sink(batch).catch((error: unknown) => {
      sinkFailure = { error };
      throw error;
    });
    batch = [];
    for (const { row, phone, earlier } of duplicates) {
      report({ row, column: phoneColumn, code: 'PHONE_DUPLICATE', params: { phone, earlier }, message: `${phone} is already on row ${earlier}.` });
    }
    // A file already in memory (or a SQLite sink, which answers without I/O) would otherwise be
    // read in one run of promise callbacks: the process answers other requests between batches.
    await nextTurn();
  };
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  let header: string[] | null = null;
  let phoneIndex = -1;
  let rowCount = 0;
  const source = typeof input === 'string' ? [input] : input;
  const feeding = (async () => {
    try {
      for await (const chunk of source) if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const row = info.lines;
      if (!header) {
        header = record.map((h) => h.trim().toLowerCase());
        phoneIndex = header.findIndex((h) => PHONE_COLUMNS.includes(h));
        if (phoneIndex < 0) {
          report({ row, code: 'HEADER_NO_PHONE_COLUMN', params: { columns: PHONE_COLUMNS.join(', ') }, message: `The header names no phone column; name one of: ${PHONE_COLUMNS.join(', ')}.` });
          break;
        }
        for (const column of options.requiredColumns) {
          if (!header.includes(column.toLowerCase())) report({ row, column, code: 'HEADER_COLUMN_MISSING', params: { column }, message: `The header has no "${column}" column, which a template variable is mapped to.` });
        }
        if (errors.length) break;
        phoneColumn = header[phoneIndex]!;
        continue;
      }
      rowCount += 1;
      if (record.length !== header.length) {
        report({ row, code: 'CELL_COUNT_MISMATCH', params: { cells: record.length, expected: header.length }, message: `The row has ${record.length} cells; the header has ${header.length}.` });
        continue;
      }
      if (record.some((cell) => cell.includes(REPLACEMENT_CHARACTER))) {
        report({ row, code: 'NOT_UTF8', params: {}, message: 'The row has characters that are not valid UTF-8; save the file as CSV UTF-8.' });
        continue;
      }
      const columns: Record<string, string> = {};
      header.forEach((name, i) => (columns[name] = record[i] ?? ''));
      const raw = record[phoneIndex] ?? '';
      const number = parsePhoneNumberFromString(raw, options.defaultCountry as CountryCode);
      if (!raw || !number?.isValid()) {
        const column = header[phoneIndex];
        report(raw ? { row, column, code: 'PHONE_INVALID', params: { value: raw }, message: `"${raw}" is not a valid phone number.` } : { row, column, code: 'PHONE_EMPTY', params: {}, message: 'The phone number is empty.' });
        continue;
      }
      const phone = number.number;
      const missing = options.requiredColumns.filter((c) => !columns[c.toLowerCase()]);
      if (missing.length) {
        for (const column of missing) report({ row, column, code: 'VALUE_MISSING', params: { column }, message: `"${column}" is empty and its variable has no fallback.` });
        continue;
      }
      batch.push({ row, phone, country: number.country ?? null, columns });
      if (batch.length >= SINK_BATCH) await flush();
    }
    if (batch.length) await flush();
    if (!header && errors.length === 0) report({ row: 1, code: 'FILE_EMPTY', params: {}, message: 'The file is empty; it needs a header row and one row per customer.' });
  } catch (error) {
    if (sinkFailure) throw sinkFailure.error;
    const csv = error as CsvError & { lines?: number };
    report({ row: csv.lines ?? rowCount + 1, code: 'CSV_MALFORMED', params: { detail: csv.message }, message: `The file is not valid CSV here: ${csv.message}` });
  } finally {
    parser.destroy();
    await feeding.catch(() => undefined);
  }
  // Duplicates are known only once their batch is stored, after the rows that follow them.
  errors.sort((a, b) => a.row - b.row);
  return { rows: inMemory?.rows ?? [], errors, rowCount };
}

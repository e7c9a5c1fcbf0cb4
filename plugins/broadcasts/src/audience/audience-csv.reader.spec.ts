import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAudienceCsv } from './audience-csv.reader.js';

const options = { defaultCountry: 'ID', requiredColumns: ['name'] };

describe('readAudienceCsv', () => {
  it('normalises numbers to E.164 with the default region and keeps every cell', async () => {
    const csv = 'phone,name,order\n081234567890,Sari,#1\n+1 415 555 2671,Bob,#2\n';
    const result = await readAudienceCsv(csv, options);
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { row: 2, phone: '+6281234567890', country: 'ID', columns: { phone: '081234567890', name: 'Sari', order: '#1' } },
      { row: 3, phone: '+14155552671', country: 'US', columns: { phone: '+1 415 555 2671', name: 'Bob', order: '#2' } },
    ]);
  });

  it('reports each bad row by its number: invalid, duplicate, missing variable, cell count, encoding', async () => {
    const csv = ['phone,name', '081234567890,Sari', 'not-a-number,Budi', '+62 812-3456-7890,Again', '081298765432,', '081311112222', '081322223333,Caf\uFFFD'].join('\n');
    const result = await readAudienceCsv(csv, options);
    expect(result.rows.map((r) => r.row)).toEqual([2]);
    expect(result.errors).toEqual([
      { row: 3, column: 'phone', code: 'PHONE_INVALID', params: { value: 'not-a-number' }, message: '"not-a-number" is not a valid phone number.' },
      { row: 4, column: 'phone', code: 'PHONE_DUPLICATE', params: { phone: '+6281234567890', earlier: 2 }, message: '+6281234567890 is already on row 2.' },
      { row: 5, column: 'name', code: 'VALUE_MISSING', params: { column: 'name' }, message: '"name" is empty and its variable has no fallback.' },
      { row: 6, code: 'CELL_COUNT_MISMATCH', params: { cells: 1, expected: 2 }, message: 'The row has 1 cells; the header has 2.' },
      { row: 7, code: 'NOT_UTF8', params: {}, message: 'The row has characters that are not valid UTF-8; save the file as CSV UTF-8.' },
    ]);
    expect(result.rowCount).toBe(6);
  });

  it('refuses a header without a phone column or without a mapped column', async () => {
    expect((await readAudienceCsv('name\nSari', options)).errors[0]).toMatchObject({ row: 1, code: 'HEADER_NO_PHONE_COLUMN', message: expect.stringMatching(/no phone column/) });
    expect((await readAudienceCsv('phone\n081234567890', options)).errors[0]).toMatchObject({ row: 1, column: 'name', code: 'HEADER_COLUMN_MISSING', params: { column: 'name' } });
  });

  it('reports broken quoting with the line it stopped at', async () => {
    const result = await readAudienceCsv('phone,name\n081234567890,"Sari\n', options);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: 'CSV_MALFORMED', message: expect.stringMatching(/not valid CSV/) });
  });

  it('reports an empty phone and an empty file by their codes', async () => {
    expect((await readAudienceCsv('phone,name\n,Sari', options)).errors).toEqual([{ row: 2, column: 'phone', code: 'PHONE_EMPTY', params: {}, message: 'The phone number is empty.' }]);
    expect((await readAudienceCsv('', options)).errors).toMatchObject([{ row: 1, code: 'FILE_EMPTY' }]);
  });

  it('reads a stream chunk by chunk', async () => {
    const lines = ['phone,name', ...Array.from({ length: 500 }, (_, i) => `0812${String(10_000_000 + i)},N${i}`)];
    const result = await readAudienceCsv(Readable.from(lines.map((l) => `${l}\n`)), options);
    expect(result.errors).toEqual([]);
    expect(result.rows).toHaveLength(500);
  });
});

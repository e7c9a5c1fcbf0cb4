import { describe, expect, it } from 'vitest';
import { fts5Match, parseSearchQuery, searchableTextOf, snippetOf, tsQuery } from './search-query.js';

describe('search queries', () => {
  it('reads words in lower case, each matched by prefix on both databases', () => {
    const q = parseSearchQuery('Paket JNE123456, paket!', 'ID');
    expect(q.terms).toEqual([{ alternatives: ['paket'] }, { alternatives: ['jne123456'] }]);
    expect(fts5Match(q)).toBe('("paket"*) AND ("jne123456"*)');
    expect(tsQuery(q)).toBe("('paket':*) & ('jne123456':*)");
  });

  it('reads a local phone number as typed and in international form, in the default country', () => {
    expect(parseSearchQuery('0812-3456-7890', 'ID').terms).toEqual([{ alternatives: ['081234567890', '6281234567890'] }]);
    expect(parseSearchQuery('+62 812 3456 7890', 'ID').terms).toEqual([{ alternatives: ['6281234567890'] }]);
    expect(parseSearchQuery('012 345 6789', 'MY').terms).toEqual([{ alternatives: ['0123456789', '60123456789'] }]);
  });

  it('refuses a query without a letter or digit, or with too many words, as SEARCH_QUERY_INVALID', () => {
    for (const q of ['!!!', '*** ---', '\u0301 \u0300', Array.from({ length: 11 }, (_, i) => `w${i}`).join(' '), 'x'.repeat(65)]) {
      expect(() => parseSearchQuery(q, 'ID'), q).toThrow(expect.objectContaining({ code: 'SEARCH_QUERY_INVALID' }));
    }
  });

  it('keeps quotes and operators out of the database query', () => {
    const q = parseSearchQuery(`it's "NEAR" a*b OR c'--`, 'ID');
    expect(fts5Match(q)).toBe('("it"*) AND ("s"*) AND ("near"*) AND ("a"*) AND ("b"*) AND ("or"*) AND ("c"*)');
    expect(tsQuery(q)).not.toMatch(/[^a-z:*'()|& ]/);
  });

  it('marks every matching word of a snippet around the first match, cut with an ellipsis', () => {
    const text = `${'Selamat pagi kak, '.repeat(5)}paket JNE123456 sudah dikirim, cek jne123456 ya. ${'Terima kasih. '.repeat(12)}`;
    const s = snippetOf(text, parseSearchQuery('jne123', 'ID'));
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.marks.map((m) => s.text.slice(m.start, m.end))).toEqual(['JNE123456', 'jne123456']);
    expect(snippetOf('Nomor saya +6281234567890', parseSearchQuery('081234567890', 'ID'))).toEqual({ text: 'Nomor saya +6281234567890', marks: [{ start: 12, end: 25 }] });
  });

  it('indexes the text a person reads: captions, file names, bodies, rendered templates', () => {
    expect(searchableTextOf({ type: 'document', media: { mediaId: 'm', caption: 'Invoice' }, filename: 'inv-7.pdf' })).toBe('Invoice inv-7.pdf');
    expect(searchableTextOf({ type: 'template', template: { name: 'order', language: 'id', parameters: {}, renderedText: 'Pesanan dikirim' } })).toBe('Pesanan dikirim');
    expect(searchableTextOf({ type: 'reaction', targetExternalId: 'x', emoji: '👍' })).toBe('');
  });
});

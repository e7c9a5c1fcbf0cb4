import { describe, expect, it } from 'vitest';
import { requiredColumns, resolveParameters } from './variable-resolution.js';

const contact = { name: 'Sari', phone: '+6281234567890', attributes: { city: 'Bandung' } };

describe('resolveParameters', () => {
  it('takes each variable from a column, the contact or a constant, with fallbacks', () => {
    const r = resolveParameters(
      {
        body: [
          { source: { from: 'contact', field: 'name', fallback: 'Kak' } },
          { source: { from: 'column', column: 'Order' } },
          { source: { from: 'contact', field: 'attributes.city' } },
          { source: { from: 'constant', value: 'dikirim' } },
          { source: { from: 'column', column: 'promo', fallback: 'HEMAT' } },
        ],
        buttons: [{ index: 0, subType: 'url', source: { from: 'column', column: 'order' } }],
      },
      { columns: { order: '#42', promo: ' ' }, contact },
    );
    expect(r).toEqual({
      ok: true,
      parameters: {
        body: [
          { type: 'text', text: 'Sari' },
          { type: 'text', text: '#42' },
          { type: 'text', text: 'Bandung' },
          { type: 'text', text: 'dikirim' },
          { type: 'text', text: 'HEMAT' },
        ],
        buttons: [{ index: 0, subType: 'url', value: '#42' }],
      },
    });
  });

  it('uses the fallback for a recipient without a contact, and names what is missing', () => {
    expect(resolveParameters({ body: [{ name: 'first_name', source: { from: 'contact', field: 'name', fallback: 'Kak' } }] }, { columns: {}, contact: null })).toEqual({
      ok: true,
      parameters: { body: [{ type: 'text', text: 'Kak', name: 'first_name' }] },
    });
    const r = resolveParameters({ body: [{ source: { from: 'column', column: 'order' } }], header: [{ source: { from: 'constant', value: 'x'.repeat(61) } }] }, { columns: {}, contact: null });
    expect(r).toEqual({
      ok: false,
      problems: [
        { code: 'VARIABLE_TOO_LONG', params: { part: 'header', name: '1', length: 61, max: 60 }, text: 'header variable 1 is 61 characters; WhatsApp allows 60.' },
        { code: 'VARIABLE_EMPTY', params: { part: 'body', name: '1', column: 'order' }, text: 'body variable 1 has no value (column "order" is empty and there is no fallback).' },
      ],
    });
  });

  it('needs an https link for a media header', () => {
    const mapping = { headerMedia: { type: 'image' as const, source: { from: 'column' as const, column: 'img' } } };
    expect(resolveParameters(mapping, { columns: { img: 'http://x/a.jpg' }, contact: null })).toMatchObject({ ok: false });
    expect(resolveParameters(mapping, { columns: { img: 'https://x/a.jpg' }, contact: null })).toEqual({ ok: true, parameters: { header: [{ type: 'image', media: { url: 'https://x/a.jpg' } }] } });
  });

  it('sends an uploaded header file by the provider id once uploaded, by Obrol id before', () => {
    const mapping = { headerMedia: { type: 'document' as const, mediaId: 'm-1', filename: 'katalog.pdf' } };
    expect(resolveParameters(mapping, { columns: {}, contact: null })).toEqual({ ok: true, parameters: { header: [{ type: 'document', media: { mediaId: 'm-1' }, filename: 'katalog.pdf' }] } });
    expect(resolveParameters(mapping, { columns: {}, contact: null }, { providerMediaId: 'wa-9' })).toEqual({
      ok: true,
      parameters: { header: [{ type: 'document', media: { mediaId: 'm-1', providerMediaId: 'wa-9' }, filename: 'katalog.pdf' }] },
    });
    expect(requiredColumns(mapping)).toEqual([]);
  });

  it('lists the columns a CSV row must fill', () => {
    expect(requiredColumns({ body: [{ source: { from: 'column', column: 'Name' } }, { source: { from: 'column', column: 'promo', fallback: 'X' } }] })).toEqual(['name']);
  });
});

import type { RecipientReason } from '@obrol/client';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { createBroadcastI18n } from '../i18n';
import { useRecipientReason } from './recipient-reason';

/** Words `reasons` in `locale` the way the pages do. */
function worded(locale: 'en' | 'id', reasons: RecipientReason[]): string[] {
  let out: string[] = [];
  const Probe = defineComponent({
    setup() {
      const word = useRecipientReason();
      out = reasons.map(word);
      return () => h('div');
    },
  });
  mount(Probe, { global: { plugins: [createBroadcastI18n(locale)] } });
  return out;
}

describe('a recipient reason in the reader’s words', () => {
  const empty: RecipientReason = { reason: 'body variable 2 has no value (column "order" is empty and there is no fallback).', reasonCode: 'VARIABLE_EMPTY', reasonParams: { part: 'body', name: '2', column: 'order' } };
  const optedOut: RecipientReason = { reason: 'Opted out on 2026-11-01.', reasonCode: 'OPTED_OUT', reasonParams: { date: '2026-11-01' } };
  const header: RecipientReason = { reason: 'The header image has no link.', reasonCode: 'HEADER_LINK_MISSING', reasonParams: { media: 'image' } };

  it('is worded from its code and values, in Indonesian too', () => {
    expect(worded('en', [empty, optedOut, header])).toEqual([
      'Blank 2 of the message has no value: column “order” is empty and the blank has no “if empty” text.',
      'Opted out on 2026-11-01: not sent.',
      'The image at the top of the message has no link.',
    ]);
    expect(worded('id', [empty, optedOut, header])).toEqual([
      'Bagian kosong 2 di pesan tidak berisi: kolom “order” kosong dan bagian kosongnya tidak punya teks “jika kosong”.',
      'Berhenti berlangganan pada 2026-11-01: tidak dikirim.',
      'Gambar di bagian atas pesan tidak punya tautan.',
    ]);
  });

  it('falls back to the server’s sentence when it gave no code', () => {
    expect(worded('id', [{ reason: 'Something new.', reasonCode: null, reasonParams: null }])).toEqual(['Something new.']);
  });
});

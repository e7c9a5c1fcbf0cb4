import type { RecipientReason } from '@obrol/client';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { createBroadcastI18n } from '../i18n';
import { useBroadcastReason } from './broadcast-reason';
import { useRecipientReason } from './recipient-reason';

/** Runs `use` inside a component with the app's messages in `locale`, as the pages do, and returns what it gave. */
function inPage<T>(locale: 'en' | 'id', use: () => T): T {
  let out: T | undefined;
  const Probe = defineComponent({
    setup() {
      out = use();
      return () => h('div');
    },
  });
  mount(Probe, { global: { plugins: [createBroadcastI18n(locale)] } });
  return out!;
}

/** Words `reasons` in `locale` the way the pages do. */
const worded = (locale: 'en' | 'id', reasons: RecipientReason[]) => inPage(locale, () => reasons.map(useRecipientReason()));

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

describe('a broadcast reason in the reader’s words', () => {
  type Reason = { reason: string | null; reasonCode: string | null; reasonParams: Record<string, string | number> | null };
  const wordedBroadcast = (locale: 'en' | 'id', reasons: Reason[]) => inPage(locale, () => reasons.map(useBroadcastReason()));
  const daily: Reason = { reason: 'Waiting for the daily limit: …', reasonCode: 'DAILY_LIMIT', reasonParams: { limit: 2000 } };
  const byAgent: Reason = { reason: 'Paused by an agent.', reasonCode: 'PAUSED_BY', reasonParams: { actor: 'agent' } };
  const restricted: Reason = { reason: 'Paused automatically: (#368) Temporarily blocked for policies violations', reasonCode: 'PAUSED_ON_ERROR', reasonParams: { error: 'CHANNEL_RESTRICTED' } };

  it('is worded from its code and values, an error by its own code', () => {
    const [d, a, r] = wordedBroadcast('id', [daily, byAgent, restricted]);
    expect(d).toBe('Menunggu batas harian: nomor ini boleh mengirim 2.000 pesan yang dimulai bisnis dalam 24 jam. Pengiriman berlanjut begitu jendela itu longgar lagi.');
    expect(a).toBe('Dijeda oleh seorang agen.');
    expect(r).toMatch(/^Dijeda otomatis: /);
    expect(r).not.toContain('policies violations');
    expect(wordedBroadcast('en', [byAgent])).toEqual(['Paused by an agent.']);
  });

  it('says that a pause for a restriction ends by itself, and that the broadcast resumed by itself', () => {
    const until = '2026-11-30T06:01:00.000Z';
    const restricted: Reason = { reason: `Paused automatically: WhatsApp restricted this number from starting conversations until ${until}. …`, reasonCode: 'PAUSED_RESTRICTED', reasonParams: { until } };
    const noEnd: Reason = { reason: 'Paused automatically: …', reasonCode: 'PAUSED_RESTRICTED', reasonParams: {} };
    const lifted: Reason = { reason: 'Resumed automatically: …', reasonCode: 'RESUMED_AFTER_RESTRICTION', reasonParams: { end: 'lifted' } };
    const expired: Reason = { reason: 'Resumed automatically: …', reasonCode: 'RESUMED_AFTER_RESTRICTION', reasonParams: { end: 'expired' } };
    const [r, n, l, e] = wordedBroadcast('en', [restricted, noEnd, lifted, expired]);
    // The end in the page's language, not the server's ISO time.
    const untilInEnglish = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(until));
    expect(r).toBe(`Paused automatically: WhatsApp restricted this number from starting conversations until ${untilInEnglish}. It resumes by itself when the restriction ends.`);
    expect(n).toMatch(/without saying until when\. It resumes by itself when WhatsApp lifts the restriction\.$/);
    expect(l).toBe('Resumed automatically: WhatsApp lifted the restriction on starting conversations.');
    expect(e).toBe('Resumed automatically: the restriction on starting conversations ended.');
    const [ri, li] = wordedBroadcast('id', [restricted, lifted]);
    expect(ri).toBe(`Dijeda otomatis: WhatsApp membatasi nomor ini sehingga tidak bisa memulai percakapan sampai ${new Intl.DateTimeFormat('id', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(until))}. Siaran berlanjut sendiri begitu pembatasan berakhir.`);
    expect(li).toBe('Dilanjutkan otomatis: WhatsApp mencabut pembatasan memulai percakapan.');
  });

  it('words a reason with more than one text by its values', () => {
    const templatePaused: Reason = { reason: 'Paused automatically: WhatsApp paused the template "promo".', reasonCode: 'TEMPLATE_STATUS', reasonParams: { template: 'promo', status: 'PAUSED' } };
    const headerMissing: Reason = { reason: 'The header file is no longer stored on this number; upload it again.', reasonCode: 'HEADER_UPLOAD_FAILED', reasonParams: { problem: 'missing' } };
    expect(wordedBroadcast('id', [templatePaused, headerMissing])).toEqual([
      'Dijeda otomatis: WhatsApp menjeda template “promo” (biasanya karena kualitas rendah). Lanjutkan setelah template aktif lagi.',
      'File di bagian atas pesan sudah tidak tersimpan; unggah lagi.',
    ]);
  });

  it('falls back to the server’s sentence for a code the app does not know', () => {
    expect(wordedBroadcast('id', [{ reason: 'Something new.', reasonCode: 'SOMETHING_NEW', reasonParams: {} }])).toEqual(['Something new.']);
  });
});

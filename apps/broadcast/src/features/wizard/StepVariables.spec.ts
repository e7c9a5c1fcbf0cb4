import type { TemplateSlot } from '@obrol/ui';
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBroadcastI18n } from '../../i18n';
import { fakeServer } from '../test-server';
import StepVariables from './StepVariables.vue';
import { type SlotSources, fromVariableMapping, toVariableMapping } from './variable-mapping';

const slots = [1, 2].map((n) => ({ key: `body:${n}`, component: 'body' as const, variable: String(n) }));
const recipients = [
  { id: 'r1', phone: '+6281200000001', columns: { nama: 'Sari', pesanan: '#1001' } },
  { id: 'r2', phone: '+6281200000002', columns: { nama: 'Budi', pesanan: '' } },
];
const view = (r: (typeof recipients)[number]) => ({ id: r.id, phone: r.phone, country: 'ID', csvRow: 2, contactId: null, status: 'pending', reason: null, errorCode: null, messageId: null, attempts: 0, nextAttemptAt: null, updatedAt: '2026-11-01T00:00:00.000Z' });
const draft = { id: 'b1', channelAccountId: 'ch1', name: 'Promo', template: { name: 'order_update', language: 'en_US' }, variables: {}, audience: null, defaultCountry: 'ID', messagesPerSecond: 20, status: 'draft', reason: null, scheduledAt: null, scheduledLocal: null, timeZone: null, startedAt: null, finishedAt: null, createdAt: '2026-11-01T00:00:00.000Z', counters: { total: 2, pending: 2, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, suppressed: 0, deferred: 0 } };

/** The server renders with the mapping last saved, as the real preview does. */
function server() {
  let saved: { body?: { source: { from: string; column?: string; value?: string; fallback?: string } }[] } = {};
  const fake = fakeServer({
    'GET /api/v1/broadcasts/b1': () => ({ ...draft, variables: saved }),
    'PATCH /api/v1/broadcasts/b1': (body) => ((saved = (body as { variables: typeof saved }).variables), { ...draft, variables: saved }),
    'GET /api/v1/broadcasts/b1/recipients': () => ({ items: recipients.map(view), nextCursor: null }),
    'GET /api/v1/broadcasts/b1/preview': (_b, q) => {
      const r = recipients.find((x) => x.id === q.get('recipientId'))!;
      const values = (saved.body ?? []).map((s) => (s.source.from === 'column' ? r.columns[s.source.column as keyof typeof r.columns] || s.source.fallback || '' : s.source.value ?? ''));
      return { recipient: view(r), status: 'pending', reason: null, parameters: null, text: `Hi ${values[0] ?? '{{1}}'}, your order ${values[1] ?? '{{2}}'}.` };
    },
  });
  return fake;
}

function mountStep(modelValue: SlotSources = {}, options: { slots?: TemplateSlot[]; locale?: 'en' | 'id' } = {}) {
  const fake = server();
  const w = mount(StepVariables, {
    props: { broadcastId: 'b1', channelAccountId: 'ch1', mediaLimits: null, slots: options.slots ?? slots, named: false, columns: ['nama', 'pesanan'], modelValue, 'onUpdate:modelValue': (v: SlotSources) => queueMicrotask(() => void w.setProps({ modelValue: v })) },
    global: { plugins: [fake.pinia, createBroadcastI18n(options.locale ?? 'en')] },
  });
  return { w, fake };
}
const settle = async () => {
  await vi.advanceTimersByTimeAsync(300);
  await flushPromises();
};

describe('StepVariables', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('maps each blank to a column and previews what each customer gets, stepping through them', async () => {
    const { w, fake } = mountStep();
    await settle();
    await w.find('[data-testid="slot-body:2"] [data-testid="slot-column"]').setValue('pesanan');
    await settle();
    expect(w.find('[data-testid="variables-preview"]').text()).toBe('Hi Sari, your order #1001.');
    const patch = fake.calls.filter((c) => c.method === 'PATCH').at(-1)!.body as { variables: unknown };
    expect(patch.variables).toEqual({ body: [{ source: { from: 'column', column: 'nama' } }, { source: { from: 'column', column: 'pesanan' } }] });

    await w.find('[data-testid="preview-next"]').trigger('click');
    await settle();
    expect(w.find('[data-testid="variables-preview"]').text()).toBe('Hi Budi, your order .');
    expect(w.find('[data-testid="preview-next"]').attributes('disabled')).toBeDefined();
  });

  it('names each blank in the reader’s language, a media header by its kind', async () => {
    const header: TemplateSlot = { key: 'header:image', component: 'header', variable: 'image', media: 'image' };
    const { w } = mountStep({}, { slots: [header, ...slots], locale: 'id' });
    await settle();
    expect(w.findAll('legend').map((l) => l.text())).toEqual(['Bagian kepala pesan (Gambar)', 'Bagian isi pesan {{1}}', 'Bagian isi pesan {{2}}']);
  });

  it('uses the fallback where a customer’s cell is empty, and a constant for everyone', async () => {
    const { w } = mountStep({ 'body:1': { from: 'column', column: 'nama' }, 'body:2': { from: 'column', column: 'pesanan' } });
    await settle();
    await w.find('[data-testid="slot-body:2"] [data-testid="slot-fallback"]').setValue('(soon)');
    await w.find('[data-testid="preview-next"]').trigger('click');
    await settle();
    expect(w.find('[data-testid="variables-preview"]').text()).toBe('Hi Budi, your order (soon).');

    await w.find('[data-testid="slot-body:1"] [data-testid="slot-from"]').setValue('constant');
    await w.find('[data-testid="slot-body:1"] [data-testid="slot-constant"]').setValue('Kak');
    await settle();
    expect(w.find('[data-testid="variables-preview"]').text()).toBe('Hi Kak, your order (soon).');
  });
});

describe('variable mapping', () => {
  it('goes to the API’s shape and back, named variables by name', () => {
    const named = [{ key: 'body:first_name', component: 'body' as const, variable: 'first_name' }, { key: 'header:image', component: 'header' as const, variable: 'image', media: 'image' as const }];
    const sources: SlotSources = { 'body:first_name': { from: 'contact', field: 'name', fallback: 'Kak' }, 'header:image': { from: 'constant', value: 'https://example.test/a.png' } };
    const mapping = toVariableMapping(named, sources, true);
    expect(mapping).toEqual({ body: [{ name: 'first_name', source: sources['body:first_name'] }], headerMedia: { type: 'image', source: sources['header:image'] } });
    expect(fromVariableMapping(named, mapping)).toEqual(sources);
  });

  it('sends an uploaded header file by its media id, and reads it back', () => {
    const slotsWithFile = [{ key: 'header:document', component: 'header' as const, variable: 'document', media: 'document' as const }];
    const sources: SlotSources = { 'header:document': { from: 'upload', mediaId: 'm1', filename: 'katalog.pdf' } };
    const mapping = toVariableMapping(slotsWithFile, sources, false);
    expect(mapping).toEqual({ headerMedia: { type: 'document', mediaId: 'm1', filename: 'katalog.pdf' } });
    expect(fromVariableMapping(slotsWithFile, mapping)).toEqual(sources);
  });
});

import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBroadcastI18n } from '../../i18n';
import { fakeServer } from '../test-server';
import HeaderFileUpload from './HeaderFileUpload.vue';

const limits = { mimeTypes: { image: ['image/jpeg', 'image/png'], document: ['application/pdf'] }, maxBytes: { image: 5 * 1024 * 1024, document: 100 * 1024 * 1024 } };

function mountUpload(locale: 'en' | 'id' = 'en') {
  const fake = fakeServer({ 'POST /api/v1/media': () => ({ mediaId: 'm1', mimeType: 'image/png', sizeBytes: 4, sha256: 'x', filename: 'promo.png' }) });
  const w = mount(HeaderFileUpload, { props: { kind: 'image', channelAccountId: 'ch1', limits, filename: null }, global: { plugins: [fake.pinia, createBroadcastI18n(locale)] } });
  return { w, fake };
}
async function choose(w: ReturnType<typeof mountUpload>['w'], file: File) {
  const input = w.find('[data-testid="header-file"]');
  Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
  await input.trigger('change');
  await flushPromises();
}
const uploads = (fake: ReturnType<typeof mountUpload>['fake']) => fake.calls.filter((c) => c.path === '/api/v1/media');

describe('HeaderFileUpload', () => {
  // The fake server answers fetch; without XMLHttpRequest the client uploads with it.
  beforeEach(() => vi.stubGlobal('XMLHttpRequest', undefined));
  afterEach(() => vi.unstubAllGlobals());

  it('offers only the types of the header kind, and uploads a fitting file', async () => {
    const { w, fake } = mountUpload();
    expect(w.find('[data-testid="header-file"]').attributes('accept')).toBe('image/jpeg,image/png');
    await choose(w, new File([new Uint8Array([137, 80, 78, 71])], 'promo.png', { type: 'image/png' }));
    expect(uploads(fake)).toHaveLength(1);
    expect(uploads(fake)[0]!.query.get('channelAccountId')).toBe('ch1');
    expect(w.emitted('uploaded')).toEqual([[{ mediaId: 'm1', filename: 'promo.png' }]]);
  });

  it('refuses a file of another kind or too large before any upload, in the chosen language', async () => {
    const { w, fake } = mountUpload('id');
    await choose(w, new File(['%PDF'], 'katalog.pdf', { type: 'application/pdf' }));
    expect(w.find('[data-testid="header-error"]').text()).toBe('File ini bukan Gambar yang diterima WhatsApp. Jenis yang diterima: image/jpeg,image/png.');
    await choose(w, new File([new Uint8Array(6 * 1024 * 1024)], 'besar.jpg', { type: 'image/jpeg' }));
    expect(w.find('[data-testid="header-error"]').text()).toBe('File ini terlalu besar: WhatsApp menerima paling banyak 5 MB.');
    expect(uploads(fake)).toHaveLength(0);
    expect(w.emitted('uploaded')).toBeUndefined();
  });
});

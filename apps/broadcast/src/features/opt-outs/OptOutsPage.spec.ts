import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createBroadcastI18n } from '../../i18n';
import { fakeServer } from '../test-server';
import OptOutsPage from './OptOutsPage.vue';

const entry = (i: number, patch: Record<string, unknown> = {}) => ({ contactId: `c${i}`, channelAccountId: 'ch1', phone: `+62812000000${i}`, name: `Customer ${i}`, optedOutAt: '2026-11-01T00:00:00.000Z', source: 'keyword', reason: 'STOP', ...patch });

function setup(routes: Record<string, (body: unknown, query: URLSearchParams) => unknown> = {}) {
  let register = [entry(1), entry(2, { source: 'meta', reason: null })];
  const fake = fakeServer({
    'GET /api/v1/channels': () => ({ items: [{ id: 'ch1', name: 'Promo number' }] }),
    'GET /api/v1/opt-outs': (_b, q) => ({ items: register.filter((e) => !q.get('q') || e.phone.includes(q.get('q')!.replace(/^0/, ''))), nextCursor: null }),
    'POST /api/v1/opt-outs': (body) => {
      const added = entry(3, { ...(body as object), source: 'agent' });
      register = [added, ...register];
      return added;
    },
    'DELETE /api/v1/opt-outs/c1': () => {
      register = register.filter((e) => e.contactId !== 'c1');
      return null;
    },
    ...routes,
  });
  const w = mount(OptOutsPage, { global: { plugins: [fake.pinia, createBroadcastI18n('en')] }, attachTo: document.body });
  return { w, fake };
}

describe('OptOutsPage', () => {
  it('lists the register with how each customer opted out, and searches by local number', async () => {
    const { w, fake } = setup();
    await flushPromises();
    const rows = w.findAll('[data-testid="optouts-row"]');
    expect(rows.map((r) => r.text())).toEqual([expect.stringContaining('Wrote a stop word'), expect.stringContaining('In WhatsApp')]);
    expect(rows[0]!.text()).toContain('Promo number');

    await w.find('[data-testid="optouts-search"]').setValue('08120000002');
    await new Promise((r) => setTimeout(r, 300));
    await flushPromises();
    expect(fake.calls.some((c) => c.method === 'GET' && c.path === '/api/v1/opt-outs')).toBe(true);
    expect(w.findAll('[data-testid="optouts-row"]').map((r) => r.text())).toEqual([expect.stringContaining('+628120000002')]);
  });

  it('adds an opt-out by phone on the chosen number', async () => {
    const { w, fake } = setup();
    await flushPromises();
    await w.find('[data-testid="optouts-phone"]').setValue('+6281200000003');
    await w.find('[data-testid="optouts-reason"]').setValue('Asked by phone');
    await w.find('[data-testid="optouts-add"]').trigger('submit');
    await flushPromises();
    expect(fake.calls.find((c) => c.method === 'POST')!.body).toEqual({ channelAccountId: 'ch1', phone: '+6281200000003', reason: 'Asked by phone' });
    expect(w.findAll('[data-testid="optouts-row"]')).toHaveLength(3);
  });

  it('opts a customer back in only after confirmation', async () => {
    const { w, fake } = setup();
    await flushPromises();
    await w.find('[data-testid="optouts-remove"]').trigger('click');
    expect(fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(w.text()).toContain('Opt +628120000001 back in?');
    await w.find('[data-testid="optouts-confirm"]').trigger('click');
    await flushPromises();
    expect(fake.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/v1/opt-outs/c1']);
    expect(w.findAll('[data-testid="optouts-row"]')).toHaveLength(1);
  });

  it('shows a failure in words, translated by its code', async () => {
    const { w } = setup();
    await flushPromises();
    // c2 has no DELETE route in the fake, which answers 404 NOT_FOUND like the server for a contact no longer opted out.
    await w.findAll('[data-testid="optouts-remove"]')[1]!.trigger('click');
    await w.find('[data-testid="optouts-confirm"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="optouts-error"] strong').text()).toBe(createBroadcastI18n('en').global.t('errors.NOT_FOUND'));
    expect(w.findAll('[data-testid="optouts-row"]')).toHaveLength(2);
  });
});

import { type AgentView, createObrolPinia, useSessionStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInboxI18n } from '../../i18n';
import CannedResponsesPage from './CannedResponsesPage.vue';

const agentOf = (role: 'admin' | 'agent'): AgentView => ({ id: 'a1', email: 'ani@x', name: 'Ani', role, active: true, inboxIds: ['ch1'], locale: null, notifications: { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: false, messageSound: false }, createdAt: '2026-01-01T00:00:00.000Z' });
const lacak = { id: 'c1', shortcut: 'lacak', text: 'Halo {{contact.name}}, paket {{contact.order_id}} sedang kami lacak.', updatedAt: '2026-01-01T00:00:00.000Z' };
const thanks = { id: 'c2', shortcut: 'thanks', text: 'Thank you for shopping with us!', updatedAt: '2026-01-01T00:00:00.000Z' };

/** A server that keeps canned responses as the API does: unique shortcuts, CONFLICT for a taken one. */
function setup(role: 'admin' | 'agent') {
  const requests: { method: string; path: string; body: unknown }[] = [];
  let items = [lacak, thanks];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method, path, body });
    const json = (status: number, answer: unknown) => new Response(status === 204 ? null : JSON.stringify(answer), { status });
    const taken = (shortcut: string, id?: string) => items.some((c) => c.shortcut === shortcut && c.id !== id);
    if (path === '/api/v1/canned-responses' && method === 'GET') return json(200, { items });
    if (path === '/api/v1/canned-responses' && method === 'POST') {
      if (taken(body.shortcut)) return json(409, { statusCode: 409, code: 'CONFLICT', message: `A canned response /${body.shortcut} already exists.` });
      const created = { id: `c${items.length + 1}`, ...body, updatedAt: '2026-01-02T00:00:00.000Z' };
      items = [...items, created].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
      return json(201, created);
    }
    const id = path.replace('/api/v1/canned-responses/', '');
    if (method === 'PATCH') {
      if (body.shortcut && taken(body.shortcut, id)) return json(409, { statusCode: 409, code: 'CONFLICT', message: `A canned response /${body.shortcut} already exists.` });
      items = items.map((c) => (c.id === id ? { ...c, ...body } : c));
      return json(200, items.find((c) => c.id === id));
    }
    if (method === 'DELETE') {
      items = items.filter((c) => c.id !== id);
      return json(204, null);
    }
    return json(404, { statusCode: 404, code: 'ROUTE_NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) });
  const session = useSessionStore(pinia);
  session.token = 'tok';
  session.agent = agentOf(role);
  const wrapper = mount(CannedResponsesPage, { global: { plugins: [pinia, createInboxI18n('en')] }, attachTo: document.body });
  return { wrapper, requests };
}

const shortcuts = (w: ReturnType<typeof setup>['wrapper']) => w.findAll('[data-testid="canned-row"]').map((r) => r.attributes('data-shortcut'));

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

describe('CannedResponsesPage', () => {
  it('lists and searches the library by shortcut or text', async () => {
    const { wrapper: w } = setup('admin');
    await flushPromises();
    expect(shortcuts(w)).toEqual(['lacak', 'thanks']);
    await w.find('[data-testid="canned-search"]').setValue('/tha');
    expect(shortcuts(w)).toEqual(['thanks']);
    await w.find('[data-testid="canned-search"]').setValue('PAKET');
    expect(shortcuts(w)).toEqual(['lacak']);
    await w.find('[data-testid="canned-search"]').setValue('nothing like it');
    expect(w.find('[data-testid="canned-empty"]').text()).toBe('No canned response matches the search.');
  });

  it('creates one with variables explained and a live preview for a sample contact, and refuses a taken shortcut in words', async () => {
    const { wrapper: w, requests } = setup('admin');
    await flushPromises();
    await w.find('[data-testid="canned-new"]').trigger('click');
    const variables = w.findAll('[data-testid="canned-variables"] dt').map((dt, i) => [dt.text(), w.findAll('[data-testid="canned-variables"] dd')[i]!.text()]);
    expect(variables).toEqual([
      ['{{contact.name}}', "the contact's name"],
      ['{{contact.phone}}', "the contact's phone number"],
      ['{{contact.<attribute>}}', 'any attribute of the contact by its key, as in the contact panel (e.g. city)'],
    ]);

    await w.find('[data-testid="canned-shortcut"]').setValue('no spaces please');
    expect(w.find('[data-testid="canned-shortcut-problem"]').text()).toBe('Use only letters, digits, - and _ (no spaces), up to 40.');
    expect(w.find('[data-testid="canned-save"]').attributes('disabled')).toBeDefined();

    await w.find('[data-testid="canned-shortcut"]').setValue('/Lacak');
    await w.find('[data-testid="canned-text"]').setValue('Hi ');
    await w.find('[data-testid="canned-insert-varName"]').trigger('click');
    await flushPromises();
    const text = w.find('[data-testid="canned-text"]');
    await text.setValue(`${(text.element as HTMLTextAreaElement).value}, your {{contact.city}} order ships today. Ref {{contact.ref}}.`);
    expect(w.find('[data-testid="canned-preview"]').text()).toBe('Hi Sari Wulandari, your Bandung order ships today. Ref {{contact.ref}}.');

    await w.find('[data-testid="canned-form"]').trigger('submit');
    await flushPromises();
    expect(requests.at(-1)).toMatchObject({ method: 'POST', body: { shortcut: 'lacak' } });
    expect(w.find('[data-testid="canned-shortcut-problem"]').text()).toBe('/lacak is already taken. Choose another shortcut or edit the existing one.');
    expect(w.find('[data-testid="canned-error"]').exists()).toBe(false);

    await w.find('[data-testid="canned-shortcut"]').setValue('ships');
    expect(w.find('[data-testid="canned-shortcut-problem"]').exists()).toBe(false);
    await w.find('[data-testid="canned-form"]').trigger('submit');
    await flushPromises();
    expect(requests.at(-2)).toEqual({ method: 'POST', path: '/api/v1/canned-responses', body: { shortcut: 'ships', text: 'Hi {{contact.name}}, your {{contact.city}} order ships today. Ref {{contact.ref}}.' } });
    expect(w.find('[data-testid="canned-form"]').exists()).toBe(false);
    expect(shortcuts(w)).toEqual(['lacak', 'ships', 'thanks']);
  });

  it('edits and deletes (after confirming)', async () => {
    const { wrapper: w, requests } = setup('admin');
    await flushPromises();
    await w.findAll('[data-testid="canned-edit"]')[1]!.trigger('click');
    expect((w.find('[data-testid="canned-shortcut"]').element as HTMLInputElement).value).toBe('thanks');
    await w.find('[data-testid="canned-text"]').setValue('Thanks, {{contact.name}}!');
    await w.find('[data-testid="canned-form"]').trigger('submit');
    await flushPromises();
    expect(requests.at(-2)).toEqual({ method: 'PATCH', path: '/api/v1/canned-responses/c2', body: { shortcut: 'thanks', text: 'Thanks, {{contact.name}}!' } });
    expect(w.findAll('[data-testid="canned-row"]')[1]!.text()).toContain('Thanks, {{contact.name}}!');

    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal('confirm', confirm);
    await w.findAll('[data-testid="canned-delete"]')[0]!.trigger('click');
    await flushPromises();
    expect(shortcuts(w)).toEqual(['lacak', 'thanks']);
    await w.findAll('[data-testid="canned-delete"]')[0]!.trigger('click');
    await flushPromises();
    expect(confirm).toHaveBeenLastCalledWith('Delete /lacak? Agents can no longer insert it.');
    expect(requests.filter((r) => r.method === 'DELETE')).toEqual([{ method: 'DELETE', path: '/api/v1/canned-responses/c1', body: undefined }]);
    expect(shortcuts(w)).toEqual(['thanks']);
  });

  it('an agent reads the library but cannot change it', async () => {
    const { wrapper: w } = setup('agent');
    await flushPromises();
    expect(shortcuts(w)).toEqual(['lacak', 'thanks']);
    expect(w.find('[data-testid="canned-read-only"]').text()).toBe('Only admins can add, change or delete canned responses.');
    expect(w.find('[data-testid="canned-new"]').exists()).toBe(false);
    expect(w.find('[data-testid="canned-edit"]').exists()).toBe(false);
    expect(w.find('[data-testid="canned-delete"]').exists()).toBe(false);
  });

  it('speaks Indonesian', async () => {
    const { wrapper: w } = setup('admin');
    await flushPromises();
    w.vm.$i18n.locale = 'id';
    await w.find('[data-testid="canned-new"]').trigger('click');
    await w.find('[data-testid="canned-shortcut"]').setValue('thanks');
    await w.find('[data-testid="canned-text"]').setValue('Terima kasih');
    await w.find('[data-testid="canned-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="canned-shortcut-problem"]').text()).toBe('/thanks sudah dipakai. Pilih pintasan lain atau ubah yang sudah ada.');
    expect(w.find('h1').text()).toBe('Balasan cepat');
  });
});

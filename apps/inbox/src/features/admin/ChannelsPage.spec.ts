import { createObrolPinia, useSessionStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createInboxI18n } from '../../i18n';
import ChannelsPage from './ChannelsPage.vue';

/** A plugin the app has never heard of: its form comes only from the server's description. */
const smsPlugin = {
  id: 'sms',
  displayName: 'SMS gateway',
  secretFields: ['apiToken', 'verifyPhrase'],
  hasVerifyToken: true,
  configForm: [
    { name: 'senderId', type: 'string', label: 'Sender ID', description: 'As registered with the gateway', secret: false, required: true, enum: null, format: null, pattern: null },
    { name: 'region', type: 'enum', label: 'Region', description: null, secret: false, required: true, enum: ['eu', 'asia'], format: null, pattern: null },
    { name: 'apiToken', type: 'string', label: 'API token', description: null, secret: true, required: true, enum: null, format: null, pattern: null },
    { name: 'verifyPhrase', type: 'string', label: 'Verify phrase', description: null, secret: true, required: true, enum: null, format: null, pattern: null },
  ],
};
const account = { id: 'ch9', plugin: 'sms', name: 'Hotline', active: true, externalId: 'S1', config: { senderId: 'TOKO', region: 'asia' }, secretsSet: ['apiToken', 'verifyPhrase'], webhookUrl: 'https://chat.example/webhooks/sms/ch9', capabilities: null, autoAssign: false, autoAssignLimit: 10, health: { lastWebhookAt: null, checkedAt: '2026-01-01T00:00:00Z', displayName: null, displayPhoneNumber: null, details: {} }, createdAt: '2026-01-01T00:00:00Z' };

function setup(initial: unknown[] = []) {
  const requests: { method: string; path: string; body: unknown }[] = [];
  let channels: unknown[] = initial;
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method, path, body });
    const json = (status: number, answer: unknown) => new Response(JSON.stringify(answer), { status });
    if (path === '/api/v1/channel-plugins') return json(200, { items: [smsPlugin] });
    if (path === '/api/v1/channels' && method === 'GET') return json(200, { items: channels });
    if (path === '/api/v1/channel-plugins/sms/check') {
      if (body.config.apiToken !== 'good-token') return json(422, { statusCode: 422, code: 'CHANNEL_AUTH_FAILED', message: 'The gateway refused the API token.' });
      return json(200, { externalId: 'S1', displayName: 'Toko Sari', displayPhoneNumber: '+62 811', details: {} });
    }
    if (path === '/api/v1/channels/ch9' && method === 'PATCH') {
      channels = [{ ...account, ...body }];
      return json(200, channels[0]);
    }
    if (path === '/api/v1/channels' && method === 'POST') {
      channels = [account];
      return json(201, account);
    }
    return json(404, { statusCode: 404, code: 'ROUTE_NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) });
  useSessionStore(pinia).token = 'tok';
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'admin-templates', component: { template: '<div/>' } }] });
  const wrapper = mount(ChannelsPage, { global: { plugins: [pinia, router, createInboxI18n('en')] } });
  return { wrapper, requests };
}

describe('ChannelsPage', () => {
  it("connects a number of a plugin it has no code for: generated form, tested connection, then the webhook URL and the verify token", async () => {
    const { wrapper: w, requests } = setup();
    await flushPromises();
    expect(w.find('[data-testid="channels-empty"]').exists()).toBe(true);
    await w.find('[data-testid="channel-connect-start"]').trigger('click');
    expect(w.findAll('[data-field]').map((f) => f.attributes('data-field'))).toEqual(['senderId', 'region', 'apiToken', 'verifyPhrase']);
    await w.find('[data-testid="channel-name"]').setValue('Hotline');
    await w.find('[data-testid="config-senderId"]').setValue('TOKO');
    await w.find('[data-testid="config-region"]').setValue('asia');
    await w.find('[data-testid="config-apiToken"]').setValue('bad-token');
    await w.find('[data-testid="config-verifyPhrase"]').setValue('halo-halo');
    await w.find('[data-testid="channel-test"]').trigger('click');
    await flushPromises();
    const error = w.find('[data-testid="channel-connect-error"]').text();
    expect(error).toContain('The provider refused the channel’s credentials.');
    expect(error).toContain('The gateway refused the API token.');
    await w.find('[data-testid="config-apiToken"]').setValue('good-token');
    await w.find('[data-testid="channel-test"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="channel-test-ok"]').text()).toContain('Toko Sari · +62 811');
    await w.find('[data-testid="channel-connect-form"]').trigger('submit');
    await flushPromises();
    expect(requests.find((r) => r.method === 'POST' && r.path === '/api/v1/channels')!.body).toEqual({ plugin: 'sms', name: 'Hotline', config: { senderId: 'TOKO', region: 'asia', apiToken: 'good-token', verifyPhrase: 'halo-halo' } });
    expect((w.find('[data-testid="channel-webhook-url-value"]').element as HTMLInputElement).value).toBe('https://chat.example/webhooks/sms/ch9');
    expect((w.find('[data-testid="channel-verify-token-value"]').element as HTMLInputElement).value).toBe('halo-halo');
    expect(w.find('[data-testid="channel-steps"]').text()).toContain('Paste the webhook URL above');
    expect(w.findAll('[data-testid="channel-card"]')).toHaveLength(1);
  });

  it('edits a channel without ever showing its secrets', async () => {
    const { wrapper: w } = setup();
    await flushPromises();
    await w.find('[data-testid="channel-connect-start"]').trigger('click');
    await w.find('[data-testid="channel-name"]').setValue('Hotline');
    await w.find('[data-testid="channel-connect-form"]').trigger('submit');
    await flushPromises();
    await w.find('[data-testid="channel-edit"]').trigger('click');
    const form = w.find('[data-testid="channel-edit-form"]');
    expect((form.find('[data-testid="config-senderId"]').element as HTMLInputElement).value).toBe('TOKO');
    expect(form.find('[data-testid="config-apiToken"]').exists()).toBe(false);
    expect(form.find('[data-testid="config-apiToken-set"]').text()).toContain('saved (hidden)');
  });

  it('turns on auto-assignment with a per-agent limit, refusing a limit out of range in words', async () => {
    const { wrapper: w, requests } = setup([account]);
    await flushPromises();
    const form = () => w.find('[data-testid="auto-assign-form"]');
    expect(form().find('[data-testid="auto-assign-explain"]').text()).toBe('Off: new conversations wait unassigned until an agent takes one or is given it.');
    expect(form().find('[data-testid="auto-assign-save"]').attributes('disabled')).toBeDefined();

    await form().find('[data-testid="auto-assign-toggle"]').setValue(true);
    await form().find('[data-testid="auto-assign-limit"]').setValue('0');
    expect(form().find('[data-testid="auto-assign-limit-problem"]').text()).toBe('Enter a whole number from 1 to 1000.');
    expect(form().find('[data-testid="auto-assign-save"]').attributes('disabled')).toBeDefined();
    await form().find('[data-testid="auto-assign-limit"]').setValue('2.5');
    expect(form().find('[data-testid="auto-assign-limit-problem"]').exists()).toBe(true);

    await form().find('[data-testid="auto-assign-limit"]').setValue('3');
    expect(form().find('[data-testid="auto-assign-limit-problem"]').exists()).toBe(false);
    expect(form().find('[data-testid="auto-assign-explain"]').text()).toContain('go round-robin to the online agents of this inbox with fewer than 3 open (unresolved) conversations');
    await form().trigger('submit');
    await flushPromises();
    expect(requests.filter((r) => r.method === 'PATCH')).toEqual([{ method: 'PATCH', path: '/api/v1/channels/ch9', body: { autoAssign: true, autoAssignLimit: 3 } }]);
    expect(form().find('[data-testid="auto-assign-saved"]').text()).toBe('Saved.');
    expect((form().find('[data-testid="auto-assign-toggle"]').element as HTMLInputElement).checked).toBe(true);
  });

  it('shows what WhatsApp restricts a number from sending and until when, and nothing once that end has passed', async () => {
    const until = new Date(Date.now() + 5 * 60 * 60 * 1000).toISOString();
    const restricted = { ...account, id: 'ch1', name: 'Sales', restriction: { businessInitiated: true, customerInitiated: true, until, since: '2026-01-01T00:00:00Z', description: 'WhatsApp sent a "account_update" update (ACCOUNT_RESTRICTION).' } };
    const ended = { ...account, id: 'ch2', name: 'Support', restriction: { ...restricted.restriction, until: '2026-01-01T01:00:00Z' } };
    const { wrapper: w } = setup([restricted, ended, { ...account, restriction: null }]);
    await flushPromises();
    const [sales, support, hotline] = w.findAll('[data-testid="channel-card"]');
    const notice = sales!.find('[data-testid="channel-restriction"]');
    expect(notice.text()).toContain('Restricted by WhatsApp');
    expect(notice.text()).toContain('It may not answer customers: replies are refused.');
    expect(notice.text()).toContain('It may not start conversations: no template to a closed window, broadcasts pause.');
    expect(notice.text()).toContain(`Until ${new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(until))}.`);
    expect(support!.find('[data-testid="channel-restriction"]').exists()).toBe(false);
    expect(hotline!.find('[data-testid="channel-restriction"]').exists()).toBe(false);
  });
});

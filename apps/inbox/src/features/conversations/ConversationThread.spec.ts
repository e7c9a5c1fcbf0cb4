import { createObrolPinia, useSessionStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createInboxI18n } from '../../i18n';
import ConversationThread from './ConversationThread.vue';

// happy-dom lays nothing out: every element gets the size a browser would measure, so the
// virtualised thread renders its rows.
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 600 });

const conversation = (canReply: boolean) => ({
  id: 'c1', channelAccountId: 'ch1', contact: { id: 'k1', name: 'Sari', phone: '+62811', externalId: '62811' }, status: 'open', assigneeId: null, snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: canReply, expiresAt: canReply ? '2099-01-01T00:00:00.000Z' : '2026-01-02T09:00:00.000Z', closingSoon: false }, canReply, createdAt: '2026-01-01T08:00:00.000Z',
});
const inbound = { id: 'm1', conversationId: 'c1', channelAccountId: 'ch1', direction: 'inbound', content: { type: 'text', text: 'Halo' }, status: 'received', error: null, externalId: 'w1', replyToExternalId: null, sentByAgentId: null, createdAt: '2026-01-01T09:00:00.000Z', providerTimestamp: null };
const template = { id: 't1', channelAccountId: 'ch1', externalId: null, name: 'hello_world', language: 'en_US', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hello {{1}}' } }, status: 'APPROVED', rejectionReason: null, quality: null, variables: { header: [], body: ['1'], buttons: [] }, syncedAt: null, updatedAt: '2026-01-01T00:00:00.000Z' };

/** Methods of the calls to the typing endpoint, in order. */
const typingCalls: string[] = [];

function setup(canReply: boolean, onSend: (body: unknown) => { status: number; body: unknown }) {
  typingCalls.length = 0;
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (path === '/api/v1/conversations/c1/typing') {
      typingCalls.push(init?.method ?? 'GET');
      return json(200, { sent: true });
    }
    if (path === '/api/v1/conversations/c1') return json(200, conversation(canReply));
    if (path === '/api/v1/conversations/c1/messages' && init?.method === 'POST') {
      const r = onSend(JSON.parse(String(init.body)));
      return json(r.status, r.body);
    }
    if (path === '/api/v1/conversations/c1/messages') return json(200, { items: [inbound], nextCursor: null });
    if (path === '/api/v1/channels/ch1/templates') return json(200, { items: [template] });
    return json(404, { statusCode: 404, code: 'NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) });
  useSessionStore(pinia).token = 'tok';
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'inbox', component: { template: '<div/>' } }] });
  return mount(ConversationThread, { props: { id: 'c1' }, global: { plugins: [pinia, router, createInboxI18n('en')] } });
}

describe('ConversationThread', () => {
  it('replies inside the window and shows the message as queued', async () => {
    let sent: unknown;
    const w = setup(true, (body) => ((sent = body), { status: 202, body: { ...inbound, id: 'm2', direction: 'outbound', status: 'queued', content: { type: 'text', text: 'Siap kak' }, createdAt: '2026-01-01T09:01:00.000Z' } }));
    await flushPromises();
    expect(w.find('[data-testid="window-closed"]').exists()).toBe(false);
    await w.find('[data-testid="composer-input"]').setValue('Siap kak');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    expect(sent).toEqual({ content: { type: 'text', text: 'Siap kak' } });
    const last = w.findAll('[data-testid="message"]').at(-1)!;
    expect(last.text()).toContain('Siap kak');
    expect(last.attributes('data-status')).toBe('queued');
  });

  it("tells the server once that the agent is typing, however many keys are pressed", async () => {
    const w = setup(true, () => ({ status: 500, body: {} }));
    await flushPromises();
    for (const text of ['S', 'Si', 'Sia', 'Siap']) await w.find('[data-testid="composer-input"]').setValue(text);
    await flushPromises();
    expect(typingCalls).toEqual(['POST']);
  });

  it('switches to the template picker with the API message when the window closed meanwhile', async () => {
    const w = setup(true, () => ({ status: 422, body: { statusCode: 422, code: 'WINDOW_CLOSED', message: 'The window closed at 09:00.' } }));
    await flushPromises();
    await w.find('[data-testid="composer-input"]').setValue('Masih di sana?');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="window-closed"]').text()).toContain('The 24-hour window has closed');
    expect(w.find('[data-testid="window-closed-reason"]').text()).toBe('The window closed at 09:00.');
    expect(w.find('[data-testid="composer-input"]').exists()).toBe(false);
    expect(w.find('[data-testid="template-select"]').exists()).toBe(true);
  });

  it('offers only templates when the window is closed, and sends one', async () => {
    let sent: unknown;
    const w = setup(false, (body) => ((sent = body), { status: 202, body: { ...inbound, id: 'm3', direction: 'outbound', status: 'queued', content: { type: 'template', template: { name: 'hello_world', language: 'en_US', parameters: {}, renderedText: 'Hello Sari' } }, createdAt: '2026-01-01T09:02:00.000Z' } }));
    await flushPromises();
    expect(w.find('[data-testid="composer-input"]').exists()).toBe(false);
    await w.find('[data-testid="template-select"]').setValue('t1');
    await w.find('[data-testid="template-variable"]').setValue('Sari');
    await w.find('[data-testid="template-picker"]').trigger('submit');
    await flushPromises();
    expect(sent).toEqual({ template: { name: 'hello_world', language: 'en_US', parameters: { body: [{ type: 'text', text: 'Sari' }] } } });
    expect(w.text()).toContain('Hello Sari');
  });
});

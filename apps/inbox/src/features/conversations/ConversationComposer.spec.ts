import { type ChannelRestrictionView, createObrolPinia, useConnectionStore, useSessionStore, type XhrLike } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createInboxI18n } from '../../i18n';
import ConversationThread from './ConversationThread.vue';
import { shortTime } from './conversation-item';

// happy-dom lays nothing out: every element gets the size a browser would measure, so the
// virtualised thread renders its rows.
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 600 });

const conversation = { id: 'c1', channelAccountId: 'ch1', contact: { id: 'k1', name: 'Sari', phone: '+62811', externalId: '62811' }, status: 'open', assigneeId: null, snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: true, expiresAt: '2099-01-01T00:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z' };
const channel = { id: 'ch1', plugin: 'whatsapp', name: 'WA', active: true, externalId: null, config: {}, secretsSet: [], webhookUrl: 'x', capabilities: null, autoAssign: false, autoAssignLimit: 10, createdAt: '2026-01-01T00:00:00.000Z',
  mediaLimits: { maxBytes: { image: 5 * 1024 * 1024, document: 100 * 1024 * 1024 }, mimeTypes: { image: ['image/jpeg', 'image/png'], document: ['application/pdf'] } } };

const template = { id: 't1', channelAccountId: 'ch1', externalId: null, name: 'hello_world', language: 'en_US', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hello' } }, status: 'APPROVED', rejectionReason: null, quality: null, variables: { header: [], body: [], buttons: [] }, syncedAt: null, updatedAt: '2026-01-01T00:00:00.000Z' };
const message = (over: Record<string, unknown>) => ({ id: 'm1', conversationId: 'c1', channelAccountId: 'ch1', direction: 'inbound', content: { type: 'text', text: 'Paket saya JNE123456 belum sampai' }, status: 'received', error: null, externalId: 'wamid.1', replyToExternalId: null, sentByAgentId: null, createdAt: '2026-01-01T09:00:00.000Z', providerTimestamp: null, ...over });

type FakeXhr = Omit<XhrLike, 'status' | 'responseText'> & { status: number; responseText: string; answer(status: number, body: unknown): void; form: FormData | null };

const okSend = (body: unknown) => ({ status: 202, body: { id: 'm9', conversationId: 'c1', channelAccountId: 'ch1', direction: 'outbound', status: 'queued', error: null, externalId: null, replyToExternalId: null, sentByAgentId: 'a1', createdAt: '2026-01-01T09:05:00.000Z', providerTimestamp: null, ...(body as object) } });

type SetupOptions = {
  messages?: unknown[];
  canReply?: boolean;
  /** What the number's GET answers, in turn (the last one from then on). */
  restrictions?: (ChannelRestrictionView | null)[];
  locale?: 'en' | 'id';
};

async function setup(onSend: (body: unknown) => { status: number; body: unknown } = okSend, options: SetupOptions = {}) {
  const canReply = options.canReply ?? true;
  const restrictions = options.restrictions ?? [null];
  let channelReads = 0;
  const view = { ...conversation, canReply, window: { ...conversation.window, open: canReply, expiresAt: canReply ? conversation.window.expiresAt : '2026-01-02T09:00:00.000Z' } };
  const sends: unknown[] = [];
  const xhrs: FakeXhr[] = [];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const json = (status: number, b: unknown) => new Response(JSON.stringify(b), { status });
    if (path === '/api/v1/conversations/c1/messages' && init?.method === 'POST') {
      const body = JSON.parse(String(init.body));
      sends.push(body);
      const r = onSend(body);
      return json(r.status, r.body);
    }
    if (path === '/api/v1/conversations/c1') return json(200, view);
    if (path === '/api/v1/conversations/c1/messages') return json(200, { items: options.messages ?? [], nextCursor: null });
    if (path === '/api/v1/conversations/c1/notes') return json(200, { items: [] });
    if (path === '/api/v1/channels/ch1') return json(200, { ...channel, restriction: restrictions[Math.min(channelReads++, restrictions.length - 1)] });
    if (path === '/api/v1/channels/ch1/templates') return json(200, { items: [template] });
    return json(404, { statusCode: 404, code: 'NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const createXhr = () => {
    const xhr = { status: 0, responseText: '', form: null, upload: { onprogress: null }, onload: null, onerror: null, open() {}, setRequestHeader() {},
      send(form: FormData) { xhr.form = form; },
      answer(status: number, body: unknown) { xhr.status = status; xhr.responseText = JSON.stringify(body); xhr.onload?.(); } } as unknown as FakeXhr;
    xhrs.push(xhr);
    return xhr as XhrLike;
  };
  const sockets: { onopen: ((e: unknown) => void) | null; onmessage: ((e: { data: string }) => void) | null }[] = [];
  const createSocket = () => {
    const socket = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} };
    sockets.push(socket);
    return socket;
  };
  const pinia = createObrolPinia({ tokenStorage: null, fetch, createXhr, realtimeUrl: 'ws://test', createSocket });
  useSessionStore(pinia).token = 'tok';
  useConnectionStore(pinia).realtime.connect();
  sockets[0]!.onopen?.({});
  /** A live push from the server, as the realtime socket delivers it. */
  const push = async (frame: Record<string, unknown>) => {
    sockets[0]!.onmessage?.({ data: JSON.stringify({ eventId: 'e1', occurredAt: '2026-01-01T09:00:00.000Z', schemaVersion: 1, tenantId: 't', ...frame }) });
    await flushPromises();
  };
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'inbox', component: { template: '<div/>' } }] });
  const w = mount(ConversationThread, { props: { id: 'c1' }, global: { plugins: [pinia, router, createInboxI18n(options.locale ?? 'en')] } });
  await flushPromises();
  const pick = async (file: File) => {
    const input = w.find('[data-testid="composer-file"]');
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true });
    await input.trigger('change');
  };
  return { w, sends, xhrs, pick, push };
}

describe('the composer in a thread: attachments, reply-to, failed messages', () => {
  it('shows the channel limits before they are hit and refuses a file over them, in words, without uploading', async () => {
    const { w, xhrs, pick } = await setup();
    expect(w.find('[data-testid="composer-attach"]').attributes('title')).toBe('Attach a file — Images up to 5 MB, Documents up to 100 MB');
    expect(w.find('[data-testid="composer-file"]').attributes('accept')).toBe('image/jpeg,image/png,application/pdf');
    await pick(new File([new Uint8Array(6 * 1024 * 1024)], 'foto-besar.jpg', { type: 'image/jpeg' }));
    expect(w.find('[data-testid="attachment-error"]').text()).toBe('Images can be at most 5 MB on this channel; this file is 6 MB.');
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    await pick(new File(['gif'], 'anim.gif', { type: 'image/gif' }));
    expect(w.find('[data-testid="attachment-error"]').text()).toBe('This channel cannot send image/gif files. It takes: image/jpeg, image/png, application/pdf.');
    expect(xhrs).toHaveLength(0);
  });

  it('uploads with progress, then sends the image with the draft as its caption', async () => {
    const { w, sends, xhrs, pick } = await setup();
    await pick(new File(['png'], 'resi.png', { type: 'image/png' }));
    await w.find('[data-testid="composer-input"]').setValue('Ini resinya kak');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    xhrs[0]!.upload.onprogress!({ loaded: 3, total: 10, lengthComputable: true });
    await flushPromises();
    expect(w.find('[data-testid="upload-progress"]').text()).toContain('Uploading… 30%');
    xhrs[0]!.answer(201, { mediaId: 'media-1', mimeType: 'image/png', sizeBytes: 3, sha256: 'x', filename: 'resi.png' });
    await flushPromises();
    expect(sends).toEqual([{ content: { type: 'image', media: { mediaId: 'media-1', caption: 'Ini resinya kak' } } }]);
    expect(w.find('[data-testid="composer-attachment"]').exists()).toBe(false);
    expect((w.find('[data-testid="composer-input"]').element as HTMLTextAreaElement).value).toBe('');
  });

  it('sends a PDF as a document with its file name; a refused upload is shown in words and keeps the file', async () => {
    const { w, sends, xhrs, pick } = await setup();
    await pick(new File(['%PDF'], 'Faktur-1042.pdf', { type: 'application/pdf' }));
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    xhrs[0]!.answer(413, { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The file is 123 bytes; WhatsApp accepts at most…' });
    await flushPromises();
    expect(w.find('[data-testid="send-error"]').text()).toBe('Could not send: The file is larger than this channel accepts.');
    expect(w.find('[data-testid="composer-attachment"]').exists()).toBe(true);
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    xhrs[1]!.answer(201, { mediaId: 'media-2', mimeType: 'application/pdf', sizeBytes: 4, sha256: 'x', filename: 'Faktur-1042.pdf' });
    await flushPromises();
    expect(sends).toEqual([{ content: { type: 'document', media: { mediaId: 'media-2' }, filename: 'Faktur-1042.pdf' } }]);
  });

  it('puts a refused text in words by its code, never the raw validation text', async () => {
    const { w } = await setup(() => ({ status: 400, body: { statusCode: 400, code: 'VALIDATION_FAILED', message: 'Invalid body: content.text: Too big: expected string to have <=4096 characters' } }));
    await w.find('[data-testid="composer-input"]').setValue('Halo');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    const error = w.find('[data-testid="send-error"]').text();
    expect(error).toBe('Could not send: Something in the request was not accepted. Check what you entered and try again.');
    expect(error).not.toContain('Invalid body');
  });

  it('replies to a message: quoted in the composer, sent with its id, then shown quoted', async () => {
    const { w, sends } = await setup(
      (body) => okSend({ ...(body as object), content: { type: 'text', text: 'Kami cek ya' }, replyToExternalId: 'wamid.1' }),
      { messages: [message({})] },
    );
    await w.find('[data-testid="message-reply"]').trigger('click');
    expect(w.find('[data-testid="composer-replying"]').text()).toContain('Replying to Sari');
    expect(w.find('[data-testid="composer-replying"]').text()).toContain('Paket saya JNE123456 belum sampai');
    await w.find('[data-testid="composer-input"]').setValue('Kami cek ya');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    expect(sends).toEqual([{ content: { type: 'text', text: 'Kami cek ya' }, replyToMessageId: 'm1' }]);
    expect(w.find('[data-testid="composer-replying"]').exists()).toBe(false);
    expect(w.find('[data-testid="message-quote"]').text()).toContain('Paket saya JNE123456');
  });

  it('a failed message says why in words and retries inside the window', async () => {
    const failed = message({ id: 'm2', direction: 'outbound', content: { type: 'text', text: 'Halo kak' }, status: 'failed', externalId: null, error: { code: 'RECIPIENT_UNDELIVERABLE', message: '(#131026) Message undeliverable', retryable: false }, createdAt: '2026-01-01T09:01:00.000Z' });
    const { w, sends } = await setup(okSend, { messages: [message({}), failed] });
    const failure = w.find('[data-testid="message-failure"]');
    expect(failure.text()).toContain('The message could not be delivered to this customer.');
    expect(failure.text()).not.toContain('#131026');
    await w.find('[data-testid="message-retry"]').trigger('click');
    await flushPromises();
    expect(sends).toEqual([{ content: { type: 'text', text: 'Halo kak' } }]);
  });

  it('offers "send as template" for a failed message once the window has closed', async () => {
    const failed = message({ id: 'm2', direction: 'outbound', content: { type: 'text', text: 'Halo kak' }, status: 'failed', externalId: null, error: { code: 'WINDOW_CLOSED', message: 'window closed', retryable: false } });
    const { w } = await setup(okSend, { messages: [failed], canReply: false });
    expect(w.find('[data-testid="message-retry"]').exists()).toBe(false);
    await w.find('[data-testid="message-send-template"]').trigger('click');
    expect(w.find('[data-testid="template-select"]').exists()).toBe(true);
  });

  it('a sent template clears the picker, so it is not sent twice', async () => {
    const { w, sends } = await setup((body) => okSend({ ...(body as object), content: { type: 'template', template: { name: 'hello_world', language: 'en_US', parameters: {} } } }), { canReply: false });
    await w.find('[data-testid="template-select"]').setValue('t1');
    await w.find('[data-testid="template-send"]').trigger('submit');
    await w.find('[data-testid="template-send"]').trigger('submit');
    await flushPromises();
    expect(sends).toHaveLength(1);
    expect((w.find('[data-testid="template-select"]').element as HTMLSelectElement).value).toBe('');
  });

  it('sends reply buttons from the composer', async () => {
    const { w, sends } = await setup();
    await w.find('[data-testid="mode-interactive"]').trigger('click');
    await w.find('[data-testid="interactive-body"]').setValue('Sudah diterima?');
    await w.find('[data-testid="interactive-button"]').setValue('Sudah');
    await w.find('[data-testid="interactive-send"]').trigger('submit');
    await flushPromises();
    expect(sends).toEqual([{ content: { type: 'interactive', interactive: { kind: 'buttons', body: 'Sudah diterima?', buttons: [{ id: 'button-1', title: 'Sudah' }] } } }]);
    expect(w.find('[data-testid="interactive-composer"]').exists()).toBe(false);
  });
});

describe('the composer on a number WhatsApp restricted', () => {
  const HOUR = 60 * 60 * 1000;
  const answering = (until: Date | null): ChannelRestrictionView => ({
    businessInitiated: false,
    customerInitiated: true,
    until: until?.toISOString() ?? null,
    since: '2026-01-01T08:30:00.000Z',
    description: 'WhatsApp sent a "account_update" update (ACCOUNT_RESTRICTION). The number may not answer customers.',
  });
  const sendButton = (w: Awaited<ReturnType<typeof setup>>['w']) => w.find('[data-testid="composer-send"]');

  it('says what WhatsApp restricted and until when, in the agent\'s time, and sends no reply; a template still can', async () => {
    const until = new Date(Date.now() + 3 * HOUR);
    const { w, sends } = await setup(okSend, { restrictions: [answering(until)] });
    const banner = w.find('[data-testid="channel-restricted"]');
    expect(banner.text()).toContain('WhatsApp has restricted this number from answering customers');
    expect(w.find('[data-testid="channel-restricted-until"]').text()).toBe(`Until ${shortTime(until.toISOString(), new Date(), 'en')}.`);
    expect(banner.text()).toContain('No reply can be sent to customers meanwhile.');
    expect(banner.text()).toContain('An admin must check the number in WhatsApp Manager.');
    await w.find('[data-testid="composer-input"]').setValue('Sudah dikirim kak');
    expect(sendButton(w).attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="composer-input"]').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="composer-disabled-reason"]').text()).toBe('Replies are on hold: WhatsApp restricted this number.');
    expect(w.find('[data-testid="mode-interactive"]').exists()).toBe(false);
    await w.find('[data-testid="composer-send"]').trigger('submit');
    expect(sends).toEqual([]);
    // Starting conversations is not restricted: the template picker is there.
    await w.find('[data-testid="show-templates"]').trigger('click');
    expect(w.find('[data-testid="template-select"]').exists()).toBe(true);
  });

  it('says it in Indonesian too, and without an end when WhatsApp gave none', async () => {
    const { w } = await setup(okSend, { restrictions: [answering(null)], locale: 'id' });
    expect(w.find('[data-testid="channel-restricted"]').text()).toContain('WhatsApp membatasi nomor ini sehingga tidak bisa membalas pelanggan');
    expect(w.find('[data-testid="channel-restricted-until"]').text()).toBe('WhatsApp tidak menyebut kapan berakhir: berlaku sampai WhatsApp mencabutnya.');
    await w.find('[data-testid="composer-input"]').setValue('Sudah dikirim kak');
    expect(sendButton(w).attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="composer-disabled-reason"]').text()).toBe('Balasan ditahan: WhatsApp membatasi nomor ini.');
  });

  it('a reply the server refused with CHANNEL_RESTRICTED reads the number again and shows why, keeping the draft', async () => {
    const until = new Date(Date.now() + 2 * HOUR);
    const refused = () => ({ status: 422, body: { statusCode: 422, code: 'CHANNEL_RESTRICTED', message: 'WhatsApp restricted this number from answering customers.', details: answering(until) } });
    const { w } = await setup(refused, { restrictions: [null, answering(until)] });
    expect(w.find('[data-testid="channel-restricted"]').exists()).toBe(false);
    await w.find('[data-testid="composer-input"]').setValue('Halo kak');
    await w.find('[data-testid="composer-send"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="channel-restricted"]').text()).toContain('from answering customers');
    expect(w.find('[data-testid="send-error"]').exists()).toBe(false);
    expect((w.find('[data-testid="composer-input"]').element as HTMLTextAreaElement).value).toBe('Halo kak');
    expect(sendButton(w).attributes('disabled')).toBeDefined();
  });

  it('shows the restriction as WhatsApp announces it and lifts it, live', async () => {
    const { w, push } = await setup();
    await w.find('[data-testid="composer-input"]').setValue('Halo kak');
    expect(sendButton(w).attributes('disabled')).toBeUndefined();
    const pushChannel = (restriction: ChannelRestrictionView | null) => push({ type: 'channel.updated', channelAccountId: 'ch1', data: { channel: { ...channel, restriction } } });
    await pushChannel(answering(new Date(Date.now() + HOUR)));
    expect(w.find('[data-testid="channel-restricted"]').exists()).toBe(true);
    expect(sendButton(w).attributes('disabled')).toBeDefined();
    await pushChannel(null);
    expect(w.find('[data-testid="channel-restricted"]').exists()).toBe(false);
    expect(sendButton(w).attributes('disabled')).toBeUndefined();
  });

  it('offers no template once the window has closed while the number may not start conversations', async () => {
    const starting = { ...answering(new Date(Date.now() + HOUR)), businessInitiated: true, customerInitiated: false };
    const { w } = await setup(okSend, { canReply: false, restrictions: [starting] });
    const banner = w.find('[data-testid="channel-restricted"]');
    expect(banner.text()).toContain('WhatsApp has restricted this number from starting conversations');
    expect(banner.text()).toContain('No template can go to a customer whose 24-hour window has closed.');
    expect(w.find('[data-testid="template-select"]').exists()).toBe(false);
    expect(w.find('[data-testid="window-closed"]').exists()).toBe(false);
    expect(w.find('[data-testid="composer-send"]').exists()).toBe(false);
  });
});

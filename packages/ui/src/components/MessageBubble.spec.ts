import type { MessageContent, MessageView } from '@obrol/contracts';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageBubble from './MessageBubble.vue';

const message = (content: MessageContent, over: Partial<MessageView> = {}): MessageView => ({
  id: 'm1', conversationId: 'c1', channelAccountId: 'ch1', direction: 'inbound', content, status: 'received', error: null,
  externalId: null, replyToExternalId: null, sentByAgentId: null, createdAt: '2026-01-01T10:00:00.000Z', providerTimestamp: null, ...over,
});
const render = (content: MessageContent, over: Partial<MessageView> = {}, mediaUrl?: (id: string) => string | undefined) =>
  mount(MessageBubble, { props: { message: message(content, over), ...(mediaUrl ? { mediaUrl } : {}) } });

describe('MessageBubble', () => {
  it('renders text with its status and direction for tests to find', () => {
    const w = render({ type: 'text', text: 'Halo kak' }, { direction: 'outbound', status: 'delivered' });
    expect(w.text()).toContain('Halo kak');
    expect(w.attributes('data-testid')).toBe('message');
    expect(w.attributes('data-status')).toBe('delivered');
    expect(w.find('.message-status__ticks').text()).toBe('✓✓');
  });

  it('shows an image through the mediaUrl function, with its caption', () => {
    const w = render({ type: 'image', media: { mediaId: 'med1', caption: 'the receipt' } }, {}, (id) => `blob:${id}`);
    expect(w.find('img').attributes('src')).toBe('blob:med1');
    expect(w.text()).toContain('the receipt');
    expect(render({ type: 'image', media: { mediaId: 'med1' } }).find('img').exists()).toBe(false);
  });

  it('links documents and locations, and lists contact cards', () => {
    expect(render({ type: 'document', media: { mediaId: 'd' }, filename: 'invoice.pdf' }, {}, () => 'blob:d').find('a').attributes('href')).toBe('blob:d');
    const loc = render({ type: 'location', latitude: -6.2, longitude: 106.8, name: 'Kantor' });
    expect(loc.text()).toContain('Kantor');
    expect(loc.find('a').attributes('href')).toContain('mlat=-6.2');
    const cards = render({ type: 'contacts', contacts: [{ name: { formattedName: 'Budi' }, phones: [{ phone: '+62811' }], emails: [], urls: [] }] });
    expect(cards.text()).toContain('Budi');
    expect(cards.text()).toContain('+62811');
  });
  it('renders interactive messages, replies, reactions, templates and system notices', () => {
    const buttons = render({ type: 'interactive', interactive: { kind: 'buttons', body: 'Pick one', buttons: [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }] } });
    expect(buttons.findAll('.bubble__button').map((b) => b.text())).toEqual(['Yes', 'No']);
    expect(render({ type: 'interactive_reply', reply: { kind: 'button', id: 'y', title: 'Yes' } }).text()).toContain('Yes');
    expect(render({ type: 'reaction', targetExternalId: 'wamid', emoji: '👍' }).text()).toContain('Reacted 👍');
    const tpl = render({ type: 'template', template: { name: 'order_update', language: 'en_US', parameters: {}, renderedText: 'Hi Sari, order #1 is on its way' } });
    expect(tpl.text()).toContain('Hi Sari, order #1 is on its way');
    expect(render({ type: 'system', text: 'Customer changed number' }).text()).toContain('Customer changed number');
  });

  it('renders the bubble of each content type', () => {
    expect(render({ type: 'location', latitude: -6.2, longitude: 106.8, name: 'Kantor' }).find('.location-bubble').text()).toContain('Kantor');
    const buttons = render({ type: 'interactive', interactive: { kind: 'buttons', body: 'Pick one', buttons: [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }] } });
    expect(buttons.attributes('data-content-type')).toBe('interactive');
    expect(buttons.findAll('.bubble__button').map((b) => b.text())).toEqual(['Yes', 'No']);
    expect(render({ type: 'reaction', targetExternalId: 'wamid', emoji: '👍' }).text()).toContain('Reacted 👍');
    const tpl = render({ type: 'template', template: { name: 'order_update', language: 'en_US', parameters: {}, renderedText: 'Hi Sari, order #1 is on its way' } });
    expect(tpl.text()).toContain('Hi Sari, order #1 is on its way');
    expect(render({ type: 'system', text: 'Customer changed number' }).classes()).toContain('bubble--system');
  });

  it('passes a media URL from the content only when it is http(s)', () => {
    expect(render({ type: 'image', media: { url: 'https://cdn.example.test/a.jpg' } }).find('img').attributes('src')).toBe('https://cdn.example.test/a.jpg');
    const hostile = { type: 'document', media: { url: 'javascript:alert(1)' }, filename: 'x.pdf' } as MessageContent;
    const w = render(hostile);
    expect(w.find('a').exists()).toBe(false);
    expect(w.html()).not.toContain('javascript:');
  });

  it('shows a content type newer than this package as unsupported', () => {
    const w = render({ type: 'poll', question: '?' } as unknown as MessageContent);
    expect(w.attributes('data-content-type')).toBe('unsupported');
    expect(w.text()).toContain('Unsupported message (poll)');
  });

  it('names what it cannot show', () => {
    expect(render({ type: 'unsupported', providerType: 'poll' }).text()).toContain('Unsupported message (poll)');
  });

  it('shows why an outbound message failed', () => {
    const w = render({ type: 'text', text: 'x' }, { direction: 'outbound', status: 'failed', error: { code: 'RECIPIENT_UNDELIVERABLE', message: 'The number is not on WhatsApp.', retryable: false } });
    expect(w.find('[data-testid="message-error"]').text()).toBe('The number is not on WhatsApp.');
  });
});

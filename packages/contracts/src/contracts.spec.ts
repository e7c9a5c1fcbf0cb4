import { describe, expect, it } from 'vitest';
import { alwaysOpenPolicy, fixedWindowPolicy } from './channel-plugin.js';
import { ERROR_CODES, httpStatusOf } from './errors.js';
import { commands, factNameOf, facts, isStatusAdvance, liveEvents, readLiveEvent, subjects } from './events.js';
import { messageContentSchema, previewOf, sessionContentSchema } from './message-content.js';

const HOUR = 60 * 60 * 1000;

describe('subjects', () => {
  it('builds lower-case subjects of the form <kind>.<tenant>.<aggregate>.<event>', () => {
    expect(subjects.messageReceived('Acme')).toBe('chat.acme.message.received');
    expect(subjects.send('acme', 'whatsapp')).toBe('cmd.acme.send.whatsapp');
    expect(subjects.live('acme', 'message', 'created')).toBe('live.acme.message.created');
  });

  it('refuses tokens that would break the subject or carry a phone number format', () => {
    expect(() => subjects.messageReceived('acme.corp')).toThrow(/invalid tenant/);
    expect(() => subjects.messageReceived('+6281234')).toThrow(/invalid tenant/);
    expect(() => subjects.send('acme', 'what sapp')).toThrow(/invalid channel/);
  });
});

describe('fixedWindowPolicy', () => {
  const policy = fixedWindowPolicy(24 * HOUR);
  const wrote = new Date('2026-11-20T08:00:00Z');
  it('is open at 23:59:59 and closed at 24:00:01 after the last inbound message', () => {
    expect(policy.canSendFreeform({ lastInboundAt: wrote }, new Date(wrote.getTime() + 24 * HOUR - 1000))).toEqual({ open: true, expiresAt: new Date(wrote.getTime() + 24 * HOUR) });
    expect(policy.canSendFreeform({ lastInboundAt: wrote }, new Date(wrote.getTime() + 24 * HOUR + 1000)).open).toBe(false);
  });
  it('is closed before the customer ever wrote', () => {
    expect(policy.canSendFreeform({ lastInboundAt: null }, wrote)).toEqual({ open: false, expiresAt: null });
  });
  it('alwaysOpenPolicy never closes', () => {
    expect(alwaysOpenPolicy.canSendFreeform({ lastInboundAt: null }, wrote)).toEqual({ open: true, expiresAt: null });
  });
});

describe('message content', () => {
  it('accepts every documented shape and rejects unknown types', () => {
    expect(messageContentSchema.safeParse({ type: 'text', text: 'hi' }).success).toBe(true);
    expect(messageContentSchema.safeParse({ type: 'image', media: { url: 'https://example.com/a.jpg' } }).success).toBe(true);
    expect(messageContentSchema.safeParse({ type: 'image', media: {} }).success).toBe(false);
    expect(messageContentSchema.safeParse({ type: 'hologram' }).success).toBe(false);
    expect(messageContentSchema.safeParse({ type: 'unsupported', providerType: 'poll', raw: { x: 1 } }).success).toBe(true);
  });

  it('keeps received-only types out of what may be sent', () => {
    expect(sessionContentSchema.safeParse({ type: 'interactive_reply', reply: { kind: 'button', id: 'a', title: 'A' } }).success).toBe(false);
    expect(sessionContentSchema.safeParse({ type: 'text', text: 'hi' }).success).toBe(true);
  });

  it('limits interactive buttons to three', () => {
    const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, title: `B${i}` }));
    expect(sessionContentSchema.safeParse({ type: 'interactive', interactive: { kind: 'buttons', body: 'pick', buttons: buttons(3) } }).success).toBe(true);
    expect(sessionContentSchema.safeParse({ type: 'interactive', interactive: { kind: 'buttons', body: 'pick', buttons: buttons(4) } }).success).toBe(false);
  });

  it('previews every type in a line', () => {
    expect(previewOf({ type: 'text', text: 'halo' })).toBe('halo');
    expect(previewOf({ type: 'image', media: { providerMediaId: '1', caption: 'receipt' } })).toBe('[image] receipt');
    expect(previewOf({ type: 'reaction', targetExternalId: 'w' })).toBe('[reaction removed]');
    expect(previewOf({ type: 'template', template: { name: 'order_update', language: 'id', parameters: {} } })).toBe('[template] order_update');
    expect(previewOf({ type: 'unsupported', providerType: 'poll' })).toBe('[unsupported: poll]');
  });
});

describe('error codes', () => {
  it('map client mistakes to 4xx and WINDOW_CLOSED to 422', () => {
    expect(httpStatusOf('WINDOW_CLOSED')).toBe(422);
    expect(httpStatusOf('VALIDATION_FAILED')).toBe(400);
    const clientCodes = Object.entries(ERROR_CODES).filter(([code]) => !['CHANNEL_UNAVAILABLE', 'CHANNEL_ERROR', 'NOT_READY', 'INTERNAL'].includes(code));
    expect(clientCodes.every(([, status]) => status >= 400 && status < 500)).toBe(true);
  });
});

describe('isStatusAdvance (the one status order of server and clients)', () => {
  it('moves forward only, lets failed replace only an undelivered message, and lets proof of arrival replace failed', () => {
    expect(isStatusAdvance('queued', 'sent')).toBe(true);
    expect(isStatusAdvance('sent', 'read')).toBe(true);
    expect(isStatusAdvance('read', 'delivered')).toBe(false);
    expect(isStatusAdvance('delivered', 'delivered')).toBe(false);
    expect(isStatusAdvance('sent', 'failed')).toBe(true);
    expect(isStatusAdvance('delivered', 'failed')).toBe(false);
    expect(isStatusAdvance('failed', 'sent')).toBe(false);
    expect(isStatusAdvance('failed', 'delivered')).toBe(true);
  });
});

describe('event catalogue', () => {
  it('builds facts, commands and live events with their subjects', () => {
    const ref = { conversationId: 'c', channelAccountId: 'a', contactId: 'k' };
    expect(facts.conversationOpened('Acme', { ...ref, status: 'open', assigneeId: null })).toMatchObject({ kind: 'fact', name: 'conversation.opened', subject: 'chat.acme.conversation.opened' });
    expect(commands.send('acme', 'whatsapp', { messageId: 'm', channelAccountId: 'a', conversationId: 'c', attempt: 1 }).subject).toBe('cmd.acme.send.whatsapp');
    const live = liveEvents.templateStatus('acme', { channelAccountId: 'a', data: { channelAccountId: 'a', templateId: 't', name: 'n', language: 'en', status: 'APPROVED', reason: null, quality: null, category: 'UTILITY' } });
    expect(live.subject).toBe('live.acme.template.status');
    expect(live.event.type).toBe('template.status');
    expect(factNameOf('chat.acme.message.received')).toBe('message.received');
    const lifted = facts.channelRestrictionLifted('acme', { channelAccountId: 'a', businessInitiated: true, customerInitiated: false, description: 'lifted' });
    expect(lifted.subject).toBe('chat.acme.channel.restriction_lifted');
    expect(factNameOf(lifted.subject)).toBe('channel.restriction_lifted');
    expect(factNameOf('cmd.acme.send.whatsapp')).toBeNull();
  });

  it('reads live frames by type and ignores hello, pong, unknown types and frames without their data', () => {
    expect(readLiveEvent({ type: 'hello' })).toBeNull();
    expect(readLiveEvent({ type: 'something.new', channelAccountId: 'a', data: {} })).toBeNull();
    expect(readLiveEvent({ type: 'message.updated', channelAccountId: 'a', data: {} })).toBeNull();
    expect(readLiveEvent({ type: 'conversation.updated', channelAccountId: 'a', conversationId: 'c', data: { conversation: { id: 'c' } } })?.type).toBe('conversation.updated');
    // An agent's presence is of no one inbox; every other event must name its inbox.
    expect(readLiveEvent({ type: 'agent.presence', data: { id: 'ag', availability: 'offline' } })?.type).toBe('agent.presence');
    expect(readLiveEvent({ type: 'conversation.updated', conversationId: 'c', data: { conversation: { id: 'c' } } })).toBeNull();
    // A number WhatsApp restricted (or freed again) comes whole, as the channel's view.
    expect(liveEvents.channelUpdated('acme', { channelAccountId: 'a', data: { channel: { id: 'a' } as never } }).subject).toBe('live.acme.channel.updated');
    expect(readLiveEvent({ type: 'channel.updated', channelAccountId: 'a', data: { channel: { id: 'a', restriction: null } } })?.type).toBe('channel.updated');
    expect(readLiveEvent({ type: 'channel.updated', channelAccountId: 'a', data: {} })).toBeNull();
  });
});

describe('URLs in content', () => {
  it('accept only http and https at the API', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'vbscript:x']) {
      expect(sessionContentSchema.safeParse({ type: 'image', media: { url } }).success, url).toBe(false);
      expect(sessionContentSchema.safeParse({ type: 'location', latitude: 1, longitude: 2, url }).success, url).toBe(false);
      expect(sessionContentSchema.safeParse({ type: 'interactive', interactive: { kind: 'cta_url', body: 'b', displayText: 'd', url } }).success, url).toBe(false);
    }
    expect(sessionContentSchema.safeParse({ type: 'location', latitude: 1, longitude: 2, url: 'https://maps.example.test/x' }).success).toBe(true);
  });
});

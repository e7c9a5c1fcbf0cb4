import type { MessageView } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { byActivity, matchesFilters, mergeMessages, windowStateOf } from './conversation-list.js';
import type { ConversationView } from './views.js';

const conversation = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1',
  channelAccountId: 'ch1',
  contact: { id: 'k1', name: 'Sari', phone: '+62', externalId: '62' },
  status: 'open',
  assigneeId: null,
  snoozedUntil: null, tags: [],
  lastInboundAt: null,
  lastMessageAt: '2026-01-01T10:00:00.000Z',
  lastMessagePreview: 'hi',
  unreadCount: 0,
  window: { open: true, expiresAt: '2026-01-02T10:00:00.000Z', closingSoon: false },
  canReply: true,
  createdAt: '2026-01-01T09:00:00.000Z',
  ...over,
});
const message = (id: string, createdAt: string, status: MessageView['status'] = 'queued'): MessageView => ({
  id,
  conversationId: 'c1',
  channelAccountId: 'ch1',
  direction: 'outbound',
  content: { type: 'text', text: id },
  status,
  error: null,
  externalId: null,
  replyToExternalId: null,
  sentByAgentId: null,
  createdAt,
  providerTimestamp: null,
});

describe('conversation list logic', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');

  it('tells the window state from the view', () => {
    expect(windowStateOf(conversation(), now)).toBe('open');
    expect(windowStateOf(conversation({ window: { open: true, expiresAt: '2026-01-01T13:00:00.000Z', closingSoon: true } }), now)).toBe('closing');
    expect(windowStateOf(conversation({ window: { open: false, expiresAt: null, closingSoon: false } }), now)).toBe('closed');
    expect(windowStateOf(conversation({ window: { open: true, expiresAt: '2026-01-01T11:59:59.000Z', closingSoon: true } }), now)).toBe('closed');
  });

  it('matches the list filters', () => {
    const mine = conversation({ assigneeId: 'a1' });
    expect(matchesFilters(mine, { assignee: 'me' }, 'a1', now)).toBe(true);
    expect(matchesFilters(mine, { assignee: 'me' }, 'a2', now)).toBe(false);
    expect(matchesFilters(mine, { assignee: 'none' }, 'a1', now)).toBe(false);
    expect(matchesFilters(conversation(), { assignee: 'none', status: 'open' }, 'a1', now)).toBe(true);
    expect(matchesFilters(conversation({ status: 'resolved' }), { status: 'open' }, 'a1', now)).toBe(false);
    const closing = conversation({ window: { open: true, expiresAt: '2026-01-01T13:00:00.000Z', closingSoon: true } });
    expect(matchesFilters(closing, { window: 'open' }, null, now)).toBe(true);
    expect(matchesFilters(closing, { window: 'closing' }, null, now)).toBe(true);
    expect(matchesFilters(closing, { window: 'closed' }, null, now)).toBe(false);
  });

  it('keeps status apart from the window: open means unresolved and awake, snoozed until its time', () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    const snoozed = conversation({ snoozedUntil: '2026-01-01T13:00:00.000Z' });
    expect(matchesFilters(conversation(), { status: 'open' }, null, now)).toBe(true);
    expect(matchesFilters(conversation({ window: { open: false, expiresAt: null, closingSoon: false } }), { status: 'open' }, null, now)).toBe(true);
    expect(matchesFilters(conversation({ status: 'resolved' }), { status: 'open' }, null, now)).toBe(false);
    expect(matchesFilters(snoozed, { status: 'open' }, null, now)).toBe(false);
    expect(matchesFilters(snoozed, { status: 'snoozed' }, null, now)).toBe(true);
    expect(matchesFilters(snoozed, { status: 'open' }, null, new Date('2026-01-01T13:00:01.000Z'))).toBe(true);
    expect(matchesFilters(conversation({ status: 'resolved' }), { status: 'resolved' }, null, now)).toBe(true);
  });

  it('sorts by latest activity', () => {
    const list = [conversation({ id: 'old' }), conversation({ id: 'new', lastMessageAt: '2026-01-01T11:00:00.000Z' })];
    expect(list.sort(byActivity).map((c) => c.id)).toEqual(['new', 'old']);
  });

  it('merges messages oldest first without duplicates, never moving a status backwards', () => {
    const thread = [message('m1', '2026-01-01T10:00:00.000Z', 'read'), message('m2', '2026-01-01T10:01:00.000Z', 'sent')];
    const merged = mergeMessages(thread, [message('m2', '2026-01-01T10:01:00.000Z', 'queued'), message('m0', '2026-01-01T09:00:00.000Z', 'received'), message('m3', '2026-01-01T10:02:00.000Z')]);
    expect(merged.map((m) => `${m.id}:${m.status}`)).toEqual(['m0:received', 'm1:read', 'm2:sent', 'm3:queued']);
    expect(mergeMessages(merged, [message('m2', '2026-01-01T10:01:00.000Z', 'failed')]).find((m) => m.id === 'm2')!.status).toBe('failed');
  });
});

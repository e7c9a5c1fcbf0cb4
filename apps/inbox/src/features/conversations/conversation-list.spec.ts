import type { ConversationView } from '@obrol/client';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { useConversationFiltersStore } from './conversation-filters.store';
import { toListItem } from './conversation-item';

const view: ConversationView = {
  id: 'c1', channelAccountId: 'ch', contact: { id: 'k', name: null, phone: '+6281234567001', externalId: '6281234567001' }, status: 'open', assigneeId: 'me', snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 3,
  window: { open: true, expiresAt: '2026-01-02T09:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z',
};

describe('conversation list of the inbox', () => {
  const words = { mine: 'Yours', assigned: 'Taken', nameOf: (id: string) => (id === 'b' ? 'Budi' : null), resolved: 'Resolved', snoozedUntil: (time: string) => `Snoozed until ${time}` };
  const now = new Date('2026-01-01T10:00:00.000Z');

  it('turns a conversation into a list row', () => {
    const item = toListItem(view, now, 'en', words, 'me');
    expect(item).toMatchObject({ id: 'c1', name: '+6281234567001', preview: 'Halo', unreadCount: 3, window: 'open', note: 'Yours' });
    expect(item.status).toBeUndefined();
    expect(toListItem({ ...view, window: { open: false, expiresAt: null, closingSoon: false } }, new Date(), 'en', words, 'other').window).toBe('closed');
  });

  it('names the assignee, and shows resolved or snoozed apart from the window', () => {
    expect(toListItem({ ...view, assigneeId: 'b' }, now, 'en', words, 'me').note).toBe('Budi');
    expect(toListItem({ ...view, assigneeId: 'gone' }, now, 'en', words, 'me').note).toBe('Taken');
    const resolved = toListItem({ ...view, status: 'resolved' }, now, 'en', words, 'me');
    expect(resolved).toMatchObject({ status: { kind: 'resolved', label: 'Resolved' }, window: 'open' });
    const snoozed = toListItem({ ...view, snoozedUntil: '2026-01-01T12:00:00.000Z' }, now, 'en', words, 'me');
    expect(snoozed.status?.kind).toBe('snoozed');
    expect(snoozed.status?.label).toMatch(/^Snoozed until /);
    expect(toListItem({ ...view, snoozedUntil: '2026-01-01T09:00:00.000Z' }, now, 'en', words, 'me').status).toBeUndefined();
  });

  it('maps the filter tabs to API filters', () => {
    setActivePinia(createPinia());
    const filters = useConversationFiltersStore();
    // The default list: unresolved conversations that are not snoozed.
    expect(filters.apiFilters).toEqual({ status: 'open' });
    filters.assignee = 'none';
    filters.window = 'closing';
    filters.status = 'all';
    filters.q = ' sari ';
    expect(filters.apiFilters).toEqual({ assignee: 'none', window: 'closing', q: 'sari' });
  });
});

import type { ConversationView } from '@obrol/client';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { useConversationFiltersStore } from './conversation-filters.store';
import { toListItem } from './conversation-item';

const view: ConversationView = {
  id: 'c1', channelAccountId: 'ch', contact: { id: 'k', name: null, phone: '+6281234567001', externalId: '6281234567001' }, status: 'open', assigneeId: 'me',
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 3,
  window: { open: true, expiresAt: '2026-01-02T09:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z',
};

describe('conversation list of the inbox', () => {
  it('turns a conversation into a list row', () => {
    const item = toListItem(view, new Date('2026-01-01T10:00:00.000Z'), 'en', { mine: 'Yours', assigned: 'Taken' }, 'me');
    expect(item).toMatchObject({ id: 'c1', name: '+6281234567001', preview: 'Halo', unreadCount: 3, window: 'open', note: 'Yours' });
    expect(toListItem({ ...view, window: { open: false, expiresAt: null, closingSoon: false } }, new Date(), 'en', { mine: '', assigned: 'Taken' }, 'other').window).toBe('closed');
  });

  it('maps the filter tabs to API filters', () => {
    setActivePinia(createPinia());
    const filters = useConversationFiltersStore();
    expect(filters.apiFilters).toEqual({});
    filters.assignee = 'none';
    filters.window = 'closing';
    filters.q = ' sari ';
    expect(filters.apiFilters).toEqual({ assignee: 'none', window: 'closing', q: 'sari' });
  });
});

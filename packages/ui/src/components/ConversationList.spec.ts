import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import ConversationList from './ConversationList.vue';

describe('ConversationList', () => {
  const items = [
    { id: 'c1', name: 'Sari', preview: 'Pesanan saya?', unreadCount: 2, window: 'closing' as const, time: '10:02' },
    { id: 'c2', name: null, preview: 'hi', unreadCount: 0, window: 'closed' as const, status: { kind: 'resolved' as const, label: 'Resolved' }, note: 'Budi' },
  ];

  it('lists name, preview, unread badge and window badge; emits select', async () => {
    const w = mount(ConversationList, { props: { items, selectedId: 'c2' } });
    const rows = w.findAll('[data-testid="conversation-item"]');
    expect(rows.map((r) => r.attributes('data-conversation-id'))).toEqual(['c1', 'c2']);
    expect(rows[0]!.text()).toContain('Sari');
    expect(rows[0]!.find('[data-testid="unread-badge"]').text()).toBe('2');
    expect(rows[1]!.find('[data-testid="unread-badge"]').exists()).toBe(false);
    expect(rows[0]!.find('[data-testid="window-badge"]').text()).toBe('Window closing');
    // The work on a conversation (resolved, snoozed) is a separate badge from its reply window.
    expect(rows[0]!.find('[data-testid="status-badge"]').exists()).toBe(false);
    expect(rows[1]!.find('[data-testid="status-badge"]').text()).toBe('Resolved');
    expect(rows[1]!.text()).toContain('Budi');
    expect(rows[1]!.find('[data-testid="window-badge"]').attributes('data-window')).toBe('closed');
    expect(rows[1]!.text()).toContain('Unknown contact');
    expect(rows[1]!.classes()).toContain('is-selected');
    await rows[0]!.trigger('click');
    expect(w.emitted('select')).toEqual([['c1']]);
  });

  it('says when there is nothing to show', () => {
    expect(mount(ConversationList, { props: { items: [] } }).text()).toContain('No conversations');
  });

  it('renders only the rows in view of its scroll element, and asks for more near the end', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}`, name: `Customer ${i}`, preview: 'halo', unreadCount: 0, window: 'open' as const }));
    // A pane 600 px high (jsdom lays nothing out).
    const scroller = document.createElement('div');
    Object.defineProperties(scroller, { offsetWidth: { value: 320 }, offsetHeight: { value: 600 } });
    const w = mount(ConversationList, { props: { items: many, scrollElement: scroller } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rendered = w.findAll('[data-testid="conversation-item"]').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(50);
    expect(w.emitted('nearEnd')).toBeUndefined();

    await w.setProps({ items: many.slice(0, 5) });
    await nextTick();
    expect(w.emitted('nearEnd')).toHaveLength(1);
  });
});

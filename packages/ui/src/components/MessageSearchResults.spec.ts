import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageSearchResults from './MessageSearchResults.vue';

describe('MessageSearchResults', () => {
  const items = [
    { messageId: 'm1', conversationId: 'c1', name: 'Sari', outbound: false, time: '10:02', snippet: { text: '…paket JNE123456 belum <b>sampai</b>', marks: [{ start: 7, end: 16 }, { start: 23, end: 36 }] } },
    { messageId: 'm2', conversationId: 'c2', name: null, outbound: true, time: 'Mon', snippet: { text: 'Resi JNE123999', marks: [{ start: 5, end: 14 }] } },
  ];

  it('marks the matches as text, never as HTML, and emits the hit chosen', async () => {
    const w = mount(MessageSearchResults, { props: { items, selectedId: 'm2' } });
    const rows = w.findAll('[data-testid="search-hit"]');
    expect(rows.map((r) => r.attributes('data-message-id'))).toEqual(['m1', 'm2']);
    expect(rows[0]!.findAll('mark').map((m) => m.text())).toEqual(['JNE123456', '<b>sampai</b>']);
    expect(rows[0]!.find('b').exists()).toBe(false);
    expect(rows[1]!.text()).toContain('Unknown contact');
    expect(rows[1]!.text()).toContain('You: Resi JNE123999');
    expect(rows[1]!.attributes('aria-selected')).toBe('true');
    await rows[1]!.trigger('click');
    expect(w.emitted('select')).toEqual([[items[1]]]);
  });

  it('says when nothing matches', () => {
    expect(mount(MessageSearchResults, { props: { items: [] } }).text()).toContain('No message matches');
  });
});

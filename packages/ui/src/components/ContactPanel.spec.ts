import type { ContactView } from '@obrol/contracts';
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ContactPanel from './ContactPanel.vue';
import TagChips from './TagChips.vue';

const contact = (over: Partial<ContactView> = {}): ContactView => ({
  id: 'k1',
  channelAccountId: 'ch1',
  externalId: '6281234567890',
  phone: '+6281234567890',
  name: 'Sari',
  attributes: { city: 'Bandung', plan: 'gold' },
  tags: ['vip'],
  optedInAt: null,
  optedOutAt: null,
  optedOutSource: null,
  optedOutReason: null,
  createdAt: '2026-11-01T00:00:00Z',
  ...over,
});
const panel = (over: Partial<ContactView> = {}) =>
  mount(ContactPanel, {
    props: {
      contact: contact(over),
      phoneText: '+62 812-3456-7890',
      conversations: [
        { id: 'c1', inbox: 'Support', status: 'Open', time: '09:12', preview: 'halo', current: true },
        { id: 'c2', inbox: 'Sales', status: 'Resolved', time: '3 Nov', preview: 'terima kasih', current: false },
      ],
      broadcasts: [{ id: 'm9', name: 'November promo', time: '2 Nov', status: 'Read' }],
      tagSuggestions: ['vip', 'reseller'],
      formatDate: (iso: string) => iso.slice(0, 10),
    },
  });

describe('ContactPanel', () => {
  it('shows who the customer is: name, the phone as people write it, attributes, tags, opt-in state, conversations and broadcasts', () => {
    const w = panel();
    expect(w.get('[data-testid="contact-name"]').text()).toBe('Sari');
    expect(w.get('[data-testid="contact-phone"]').text()).toBe('+62 812-3456-7890');
    expect(w.findAll('[data-testid="contact-attribute"]').map((a) => a.attributes('data-key'))).toEqual(['city', 'plan']);
    expect(w.findAll('[data-testid="contact-tags-chip"]').map((c) => c.text())).toEqual(['vip×']);
    expect(w.get('[data-testid="contact-optout"]').text()).toContain('not opted out');
    expect(w.get('[data-testid="contact-conversations"]').text()).toContain('Sales · Resolved');
    expect(w.get('[data-testid="contact-conversations"] [aria-current="true"]').text()).toContain('Support');
    expect(w.get('[data-testid="contact-broadcasts"]').text()).toContain('November promo · 2 Nov · Read');
    // Suggestions leave out the tags it already has.
    expect(w.findAll('datalist option').map((o) => o.attributes('value'))).toEqual(['reseller']);
  });

  it('shows an opt-out with its source and date', () => {
    const w = panel({ optedOutAt: '2026-11-20T08:00:00Z', optedOutSource: 'keyword' });
    expect(w.get('[data-testid="contact-optout"]').text()).toBe('Opted out by a stop keyword on 2026-11-20');
  });

  it('renames on Enter, and sends nothing when the name did not change', async () => {
    const w = panel();
    await w.get('[data-testid="contact-rename"]').trigger('click');
    await w.get('[data-testid="contact-name-input"]').setValue('Sari Dewi ');
    await w.get('[data-testid="contact-name-input"]').trigger('submit');
    expect(w.emitted('rename')).toEqual([['Sari Dewi']]);
    await w.get('[data-testid="contact-rename"]').trigger('click');
    await w.get('[data-testid="contact-name-save"]').trigger('submit');
    expect(w.emitted('rename')).toHaveLength(1);
  });

  it('edits an attribute on Enter or leaving the field, adds one and removes one', async () => {
    const w = panel();
    const city = w.get('[data-key="city"] [data-testid="contact-attribute-value"]');
    await city.setValue('Jakarta');
    await city.trigger('keydown', { key: 'Enter' });
    expect(w.emitted('setAttribute')).toEqual([['city', 'Jakarta']]);
    // Leaving a field that did not change saves nothing.
    await w.get('[data-key="plan"] [data-testid="contact-attribute-value"]').trigger('blur');
    expect(w.emitted('setAttribute')).toHaveLength(1);

    await w.get('[data-testid="contact-attribute-key"]').setValue(' order ');
    await w.get('[data-testid="contact-attribute-new-value"]').setValue('INV-7');
    await w.get('[data-testid="contact-attribute-add"]').trigger('submit');
    expect(w.emitted('setAttribute')?.[1]).toEqual(['order', 'INV-7']);
    expect((w.get('[data-testid="contact-attribute-key"]').element as HTMLInputElement).value).toBe('');

    await w.get('[data-key="plan"] [data-testid="contact-attribute-remove"]').trigger('click');
    expect(w.emitted('removeAttribute')).toEqual([['plan']]);
  });

  it('adds a tag normalised, explains one that cannot be a tag, and removes one', async () => {
    const w = panel();
    const input = w.get('[data-testid="contact-tags-input"]');
    await input.setValue('  Big Spender ');
    await input.trigger('submit');
    expect(w.emitted('addTag')).toEqual([['big-spender']]);
    await input.setValue('#promo!');
    await input.trigger('submit');
    expect(w.get('[data-testid="contact-tags-problem"]').text()).toContain('only letters, digits');
    expect(w.emitted('addTag')).toHaveLength(1);
    await w.get('[data-testid="contact-tags-remove"]').trigger('click');
    expect(w.emitted('removeTag')).toEqual([['vip']]);
  });

  it('does not add a tag the list already has', async () => {
    const w = mount(TagChips, { props: { tags: ['vip'], label: 'Tags' } });
    await w.get('[data-testid="tags-input"]').setValue('VIP');
    await w.get('[data-testid="tags-input"]').trigger('submit');
    expect(w.emitted('add')).toBeUndefined();
  });
});

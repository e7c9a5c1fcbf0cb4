import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import InteractiveComposer from './InteractiveComposer.vue';

describe('InteractiveComposer', () => {
  it('sends up to three reply buttons, each within 20 characters, with ids by position', async () => {
    const w = mount(InteractiveComposer);
    expect(w.find('[data-testid="interactive-send"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="interactive-body"]').setValue('Paketnya sudah diterima?');
    await w.find('[data-testid="interactive-button"]').setValue('Sudah');
    await w.find('[data-testid="interactive-add-button"]').trigger('click');
    await w.find('[data-testid="interactive-add-button"]').trigger('click');
    expect(w.find('[data-testid="interactive-add-button"]').exists()).toBe(false);
    const fields = w.findAll('[data-testid="interactive-button"]');
    await fields[1]!.setValue('Belum');
    await fields[2]!.setValue('Ada yang rusak');
    expect(fields[0]!.attributes('maxlength')).toBe('20');
    await w.find('form').trigger('submit');
    expect(w.emitted('send')).toEqual([[{ type: 'interactive', interactive: { kind: 'buttons', body: 'Paketnya sudah diterima?', buttons: [{ id: 'button-1', title: 'Sudah' }, { id: 'button-2', title: 'Belum' }, { id: 'button-3', title: 'Ada yang rusak' }] } }]]);
  });

  it('sends a list with a menu button and items', async () => {
    const w = mount(InteractiveComposer);
    await w.find('[data-testid="interactive-kind-list"]').setValue(true);
    await w.find('[data-testid="interactive-body"]').setValue('Pilih ukuran');
    await w.find('[data-testid="interactive-menu-button"]').setValue('Ukuran');
    await w.find('[data-testid="interactive-row"]').setValue('M');
    await w.find('[data-testid="interactive-add-row"]').trigger('click');
    await w.findAll('[data-testid="interactive-row"]')[1]!.setValue('L');
    await w.find('form').trigger('submit');
    expect(w.emitted('send')![0]![0]).toEqual({ type: 'interactive', interactive: { kind: 'list', body: 'Pilih ukuran', buttonText: 'Ukuran', sections: [{ rows: [{ id: 'item-1', title: 'M' }, { id: 'item-2', title: 'L' }] }] } });
  });

  it('sends a link button only with an http(s) link, and says why not', async () => {
    const w = mount(InteractiveComposer);
    await w.find('[data-testid="interactive-kind-cta_url"]').setValue(true);
    await w.find('[data-testid="interactive-body"]').setValue('Lacak paket Anda');
    await w.find('[data-testid="interactive-link-text"]').setValue('Lacak');
    await w.find('[data-testid="interactive-url"]').setValue('javascript:alert(1)');
    expect(w.text()).toContain('Enter a link that starts with http:// or https://');
    expect(w.find('[data-testid="interactive-send"]').attributes('disabled')).toBeDefined();
    await w.find('[data-testid="interactive-url"]').setValue('https://jne.example/track/JNE123456');
    await w.find('form').trigger('submit');
    expect(w.emitted('send')![0]![0]).toMatchObject({ interactive: { kind: 'cta_url', displayText: 'Lacak', url: 'https://jne.example/track/JNE123456' } });
  });
});

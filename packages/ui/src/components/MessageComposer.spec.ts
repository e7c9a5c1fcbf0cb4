import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import MessageComposer from './MessageComposer.vue';

describe('MessageComposer', () => {
  it('emits the trimmed text on Enter and on the button', async () => {
    const w = mount(MessageComposer, { props: { modelValue: '', 'onUpdate:modelValue': (v: string) => w.setProps({ modelValue: v }) } });
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
    await w.find('textarea').setValue('  Halo  ');
    await w.find('textarea').trigger('keydown', { key: 'Enter' });
    await w.find('form').trigger('submit');
    expect(w.emitted('send')).toEqual([['Halo'], ['Halo']]);
  });

  it('is disabled with its reason', () => {
    const w = mount(MessageComposer, { props: { modelValue: 'x', disabled: true, disabledReason: 'The window has closed' } });
    expect(w.find('textarea').attributes('disabled')).toBeDefined();
    expect(w.find('[data-testid="composer-disabled-reason"]').text()).toBe('The window has closed');
    expect(w.find('[data-testid="composer-send"]').attributes('disabled')).toBeDefined();
  });
});

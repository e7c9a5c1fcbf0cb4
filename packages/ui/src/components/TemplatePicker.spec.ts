import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { PickerTemplate } from '../types';
import TemplatePicker from './TemplatePicker.vue';

const orderUpdate: PickerTemplate = {
  id: 't1', name: 'order_update', language: 'en_US', parameterFormat: 'positional',
  components: { header: { format: 'TEXT', text: 'Order {{1}}' }, body: { text: 'Hi {{1}}, order {{2}} is {{3}}.' }, footer: { text: 'Reply STOP to opt out' },
    buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' }] },
  variables: { header: ['1'], body: ['1', '2', '3'], buttons: [{ index: 0, type: 'URL' }] },
};
const welcome: PickerTemplate = {
  id: 't2', name: 'welcome', language: 'id', parameterFormat: 'named',
  components: { body: { text: 'Halo {{first_name}}, kode {{code}}' } },
  variables: { header: [], body: ['first_name', 'code'], buttons: [] },
};

describe('TemplatePicker', () => {
  it('asks for every variable, previews live, and emits the API shape', async () => {
    const w = mount(TemplatePicker, { props: { templates: [orderUpdate, welcome] } });
    expect(w.findAll('option').map((o) => o.text())).toEqual(['Choose a template', 'order_update (en_US)', 'welcome (id)']);
    await w.find('[data-testid="template-select"]').setValue('t1');
    const inputs = w.findAll('[data-testid="template-variable"]');
    expect(inputs.map((i) => i.attributes('data-slot'))).toEqual(['header:1', 'body:1', 'body:2', 'body:3', 'button:0']);
    expect(w.find('[data-testid="template-preview"]').text()).toContain('Hi {{1}}, order {{2}} is {{3}}.');
    expect(w.find('[data-testid="template-send"]').attributes('disabled')).toBeDefined();
    const typed = ['#1042', 'Sari', '#1042', 'on its way', 'abc'];
    for (const [i, input] of inputs.entries()) await input.setValue(typed[i]!);
    expect(w.find('[data-testid="template-preview"]').text()).toContain('Hi Sari, order #1042 is on its way.');
    await w.find('form').trigger('submit');
    expect(w.emitted('send')![0]![0]).toEqual({
      name: 'order_update',
      language: 'en_US',
      parameters: {
        header: [{ type: 'text', text: '#1042' }],
        body: [{ type: 'text', text: 'Sari' }, { type: 'text', text: '#1042' }, { type: 'text', text: 'on its way' }],
        buttons: [{ index: 0, subType: 'url', value: 'abc' }],
      },
    });
  });

  it('names the parameters of a named template', async () => {
    const w = mount(TemplatePicker, { props: { templates: [orderUpdate, welcome] } });
    await w.find('[data-testid="template-select"]').setValue('t2');
    const inputs = w.findAll('[data-testid="template-variable"]');
    await inputs[0]!.setValue('Budi');
    await inputs[1]!.setValue('9911');
    await w.find('form').trigger('submit');
    expect(w.emitted('send')![0]![0]).toEqual({
      name: 'welcome', language: 'id',
      parameters: { body: [{ type: 'text', text: 'Budi', name: 'first_name' }, { type: 'text', text: '9911', name: 'code' }] },
    });
  });

  it('says when a channel has no approved template', () => {
    expect(mount(TemplatePicker, { props: { templates: [] } }).text()).toContain('No approved templates');
  });
});

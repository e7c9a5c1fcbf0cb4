import { describe, expect, it } from 'vitest';
import { draftOf, emptyTemplateForm, formOf, placeOf, variablesOf } from './template-draft';

describe('template editor draft', () => {
  it('builds the API draft with examples in variable order, leaving empty parts out', () => {
    const form = { ...emptyTemplateForm(), name: ' order_ready ', body: 'Hi {{2}} and {{1}}', examples: { '1': 'Sari', '2': '#1042' } };
    expect(draftOf(form)).toEqual({ name: 'order_ready', language: 'en', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hi {{2}} and {{1}}', examples: ['Sari', '#1042'] } } });
  });

  it('keeps named examples by name, header and buttons included, and reads a template back', () => {
    const form = {
      ...emptyTemplateForm(),
      name: 'promo',
      parameterFormat: 'named' as const,
      headerFormat: 'TEXT' as const,
      headerText: 'For {{first_name}}',
      body: 'Hello {{first_name}}, use {{code}} today.',
      footer: 'Reply STOP to opt out',
      buttons: [{ type: 'URL' as const, text: 'Shop', url: 'https://shop.example/{{1}}', phoneNumber: '', example: 'summer' }],
      examples: { first_name: 'Sari', code: 'HEMAT10' },
    };
    const draft = draftOf(form);
    expect(draft.components).toEqual({
      header: { format: 'TEXT', text: 'For {{first_name}}', examples: { first_name: 'Sari' } },
      body: { text: 'Hello {{first_name}}, use {{code}} today.', examples: { first_name: 'Sari', code: 'HEMAT10' } },
      footer: { text: 'Reply STOP to opt out' },
      buttons: [{ type: 'URL', text: 'Shop', url: 'https://shop.example/{{1}}', example: 'summer' }],
    });
    expect(draftOf(formOf(draft))).toEqual(draft);
  });

  it('finds variables and places problems next to their field', () => {
    expect(variablesOf('{{1}} and {{ name }} and {{1}}')).toEqual(['1', 'name']);
    expect(placeOf({ path: 'components.body.text', message: '', rule: 'x' })).toBe('body');
    expect(placeOf({ path: 'components.buttons[0].url', message: '', rule: 'x' })).toBe('buttons');
    expect(placeOf({ path: 'name', message: '', rule: 'x' })).toBe('name');
    expect(placeOf({ path: 'parameters', message: '', rule: 'x' })).toBe('other');
  });
});

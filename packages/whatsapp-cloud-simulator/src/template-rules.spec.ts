import { describe, expect, it } from 'vitest';
import { checkTemplateSend, validateTemplateDefinition, variablesOf, type TemplateDefinition } from './template-rules.js';

const withUrlButton: TemplateDefinition = {
  name: 'track_parcel',
  language: 'en_US',
  category: 'UTILITY',
  parameter_format: 'POSITIONAL',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Parcel {{1}}' },
    { type: 'BODY', text: 'Your parcel is on its way.' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://example.com/t/{{1}}', example: ['AB1'] }, { type: 'QUICK_REPLY', text: 'Stop' }] },
  ],
};

describe('template rules', () => {
  it('lists variables once, in order of appearance', () => {
    expect(variablesOf('{{2}} and {{1}} and {{2}}')).toEqual(['2', '1']);
  });

  it('needs the URL button suffix and the header parameter, and renders the rest', () => {
    expect(checkTemplateSend(withUrlButton, [{ type: 'header', parameters: [{ type: 'text', text: 'AB1' }] }])).toMatchObject({ ok: false, error: { code: 132000 } });
    const rendered = checkTemplateSend(withUrlButton, [
      { type: 'header', parameters: [{ type: 'text', text: 'AB1' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'AB1' }] },
      { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP' }] },
    ]);
    expect(rendered).toEqual({
      ok: true,
      value: { header: 'Parcel AB1', body: 'Your parcel is on its way.', buttons: [{ type: 'URL', text: 'Track' }, { type: 'QUICK_REPLY', text: 'Stop', payload: 'STOP' }] },
    });
    expect(checkTemplateSend(withUrlButton, [{ type: 'header', parameters: [{ type: 'text', text: 'AB1' }] }, { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [] }])).toMatchObject({ ok: false, error: { code: 132012 } });
  });

  it('refuses quick replies split around other buttons and a URL variable not at the end', () => {
    const body = { type: 'BODY', text: 'Hello there.' };
    const split = validateTemplateDefinition({
      name: 'x', language: 'en', category: 'MARKETING',
      components: [body, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'A' }, { type: 'URL', text: 'U', url: 'https://a.b' }, { type: 'QUICK_REPLY', text: 'B' }] }],
    });
    expect(split).toMatchObject({ ok: false, error: { code: 100 } });
    const middle = validateTemplateDefinition({
      name: 'x', language: 'en', category: 'MARKETING',
      components: [body, { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'U', url: 'https://a.b/{{1}}/x', example: ['1'] }] }],
    });
    expect(middle).toMatchObject({ ok: false, error: { code: 100 } });
  });

  it('accepts named parameters with named examples', () => {
    const result = validateTemplateDefinition({
      name: 'welcome', language: 'id', category: 'utility', parameter_format: 'named',
      components: [{ type: 'body', text: 'Halo {{first_name}}, selamat datang.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Budi' }] } }],
    });
    expect(result).toMatchObject({ ok: true, value: { category: 'UTILITY', parameter_format: 'NAMED', components: [{ type: 'BODY' }] } });
  });
});

import type { TemplateDefinition, TemplateParameters } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { validateTemplateParameters } from './template-parameters.js';
import { renderTemplate } from './template.renderer.js';

const positional: TemplateDefinition = {
  name: 'order_shipped',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'positional',
  status: 'APPROVED',
  components: {
    header: { format: 'TEXT', text: 'Order {{1}}' },
    body: { text: 'Hi {{1}}, your order {{2}} ships on {{3}}. Thanks, {{1}}!' },
    footer: { text: 'Lucky Shrub' },
    buttons: [
      { type: 'QUICK_REPLY', text: 'Stop' },
      { type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}' },
      { type: 'COPY_CODE', example: 'SAVE10' },
    ],
  },
};

const named: TemplateDefinition = {
  ...positional,
  name: 'welcome',
  parameterFormat: 'named',
  components: { body: { text: 'Hello {{first_name}}, your code is {{code}}.' } },
};

const imageHeader: TemplateDefinition = { ...positional, components: { header: { format: 'IMAGE' }, body: { text: 'Your invoice is ready.' } } };

const goodPositional: TemplateParameters = {
  header: [{ type: 'text', text: '#123' }],
  body: [
    { type: 'text', text: 'Pablo' },
    { type: 'text', text: '#123' },
    { type: 'date_time', fallback: 'May 5' },
  ],
  buttons: [
    { index: 1, subType: 'url', value: 'abc123' },
    { index: 2, subType: 'copy_code', value: 'SAVE10' },
  ],
};

const rules = (template: TemplateDefinition, params: TemplateParameters) => validateTemplateParameters(template, params).map((p) => `${p.path} ${p.rule}`);

describe('validateTemplateParameters', () => {
  it('accepts values that fit', () => {
    expect(validateTemplateParameters(positional, goodPositional)).toEqual([]);
    expect(validateTemplateParameters(named, { body: [{ type: 'text', text: '9', name: 'code' }, { type: 'text', text: 'Ana', name: 'first_name' }] })).toEqual([]);
  });

  it('counts positional header and body values (Meta 132000)', () => {
    expect(rules(positional, { ...goodPositional, header: [], body: goodPositional.body!.slice(0, 2) })).toEqual([
      'parameters.header parameters.count',
      'parameters.body parameters.count',
    ]);
  });

  it('refuses header values for a template without header variables', () => {
    expect(rules(named, { header: [{ type: 'text', text: 'x' }], body: [{ type: 'text', text: 'a', name: 'first_name' }, { type: 'text', text: 'b', name: 'code' }] })).toEqual([
      'parameters.header parameters.count',
    ]);
  });

  it('checks named values: missing, unknown, unnamed, duplicate', () => {
    expect(
      rules(named, {
        body: [
          { type: 'text', text: 'Ana', name: 'first_name' },
          { type: 'text', text: 'Ana', name: 'first_name' },
          { type: 'text', text: 'x', name: 'nickname' },
          { type: 'text', text: 'y' },
        ],
      }),
    ).toEqual([
      'parameters.body[1] parameters.name-duplicate',
      'parameters.body[2] parameters.name-unknown',
      'parameters.body[3] parameters.name-missing',
      'parameters.body parameters.name-missing',
    ]);
  });

  it.each([
    ['a line break', 'Pablo\nDiaz'],
    ['a tab', 'Pablo\tDiaz'],
    ['five spaces in a row', 'Pablo     Diaz'],
  ])('refuses text with %s (Meta 132000/131008)', (_label, text) => {
    const params = { ...goodPositional, body: [{ type: 'text' as const, text }, ...goodPositional.body!.slice(1)] };
    expect(rules(positional, params)).toEqual(['parameters.body[0] parameters.text-format']);
  });

  it('accepts four spaces in a row', () => {
    const params = { ...goodPositional, body: [{ type: 'text' as const, text: 'Pablo    Diaz' }, ...goodPositional.body!.slice(1)] };
    expect(validateTemplateParameters(positional, params)).toEqual([]);
  });

  it('refuses media values in a text section', () => {
    const params = { ...goodPositional, header: [{ type: 'image' as const, media: { url: 'https://a.example/i.jpg' } }] };
    expect(rules(positional, params)).toEqual(['parameters.header[0] parameters.type']);
  });

  it('needs exactly one media value of the right type for a media header', () => {
    expect(rules(imageHeader, {})).toEqual(['parameters.header parameters.header-media']);
    expect(rules(imageHeader, { header: [{ type: 'video', media: { url: 'https://a.example/v.mp4' } }] })).toEqual(['parameters.header[0] parameters.header-media']);
    expect(rules(imageHeader, { header: [{ type: 'image', media: { mediaId: 'stored-only' } }] })).toEqual(['parameters.header[0] parameters.header-media']);
    expect(validateTemplateParameters(imageHeader, { header: [{ type: 'image', media: { providerMediaId: '123' } }] })).toEqual([]);
  });

  it('needs values for URL-with-variable and copy-code buttons, and checks their kind', () => {
    expect(rules(positional, { ...goodPositional, buttons: [] })).toEqual(['parameters.buttons parameters.button-missing', 'parameters.buttons parameters.button-missing']);
    expect(
      rules(positional, {
        ...goodPositional,
        buttons: [
          { index: 0, subType: 'url', value: 'x' },
          { index: 1, subType: 'url', value: 'has space' },
          { index: 2, subType: 'copy_code', value: 'X'.repeat(16) },
          { index: 7, subType: 'quick_reply', value: 'p' },
        ],
      }),
    ).toEqual([
      'parameters.buttons[0] parameters.button-type',
      'parameters.buttons[1] parameters.button-value',
      'parameters.buttons[2] parameters.button-value',
      'parameters.buttons[3] parameters.button-unknown',
    ]);
  });

  it('authentication: the code goes in the body and the OTP button, at most 15 characters', () => {
    const auth: TemplateDefinition = {
      ...positional,
      category: 'AUTHENTICATION',
      components: { body: { text: '{{1}} is your verification code.' }, buttons: [{ type: 'URL', text: 'Copy code', url: 'https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}' }] },
    };
    expect(validateTemplateParameters(auth, { body: [{ type: 'text', text: '123456' }], buttons: [{ index: 0, subType: 'otp', value: '123456' }] })).toEqual([]);
    expect(rules(auth, { body: [{ type: 'text', text: '1234567890123456' }], buttons: [{ index: 0, subType: 'url', value: '1234567890123456' }] })).toEqual([
      'parameters.body[0] parameters.otp-length',
      'parameters.buttons[0] parameters.button-value',
    ]);
    expect(rules(auth, { body: [{ type: 'text', text: '123456' }] })).toEqual(['parameters.buttons parameters.button-missing']);
  });
});

describe('renderTemplate', () => {
  it('renders header, body and footer with positional values (a repeated variable too)', () => {
    expect(renderTemplate(positional, goodPositional)).toBe('Order #123\nHi Pablo, your order #123 ships on May 5. Thanks, Pablo!\nLucky Shrub');
  });

  it('renders named values in any order and currency fallbacks', () => {
    expect(renderTemplate(named, { body: [{ type: 'currency', fallback: '$10.00', code: 'USD', amount1000: 10000, name: 'code' }, { type: 'text', text: 'Ana', name: 'first_name' }] })).toBe(
      'Hello Ana, your code is $10.00.',
    );
  });

  it('leaves a variable without a value visible and skips a media header', () => {
    expect(renderTemplate(imageHeader, {})).toBe('Your invoice is ready.');
    expect(renderTemplate(positional, { body: [{ type: 'text', text: 'Pablo' }] })).toBe('Order {{1}}\nHi Pablo, your order {{2}} ships on {{3}}. Thanks, Pablo!\nLucky Shrub');
  });
});

import type { TemplateComponents, TemplateDraft } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { lintTemplate } from './template.linter.js';

const base: TemplateDraft = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'positional',
  components: {
    body: { text: 'Hi {{1}}, your order {{2}} is on its way and arrives tomorrow.', examples: ['Pablo', '#123'] },
  },
};

function draft(overrides: Partial<Omit<TemplateDraft, 'components'>> = {}, components: Partial<TemplateComponents> = {}): TemplateDraft {
  return { ...base, ...overrides, components: { ...base.components, ...components } };
}

const body = (text: string, examples?: string[] | Record<string, string>) => ({ body: { text, ...(examples ? { examples } : {}) } });
const otpAuth = (components: Partial<TemplateComponents> = {}) =>
  draft({ category: 'AUTHENTICATION' }, { body: { text: '{{1}} is your verification code.', examples: ['123456'] }, buttons: [{ type: 'OTP', otpType: 'COPY_CODE', text: 'Copy code' }], ...components });

/** [rule, path, a draft that breaks it, a draft that keeps it]. */
const cases: [string, string, TemplateDraft, TemplateDraft][] = [
  ['name.format', 'name', draft({ name: 'Order-Update' }), draft({ name: 'order_update_2' })],
  ['name.length', 'name', draft({ name: 'a'.repeat(513) }), draft({ name: 'a'.repeat(512) })],
  ['language.format', 'language', draft({ language: 'en-US' }), draft({ language: 'pt_BR' })],
  ['variables.braces', 'components.body.text', draft({}, body('Hi {{1}, your order is on its way to you today.')), draft({}, body('Hi {{1}}, your order is on its way to you today.', ['Pablo']))],
  ['variables.malformed', 'components.body.text', draft({}, body('Hi {{first name}}, your order is on its way today.')), draft({ parameterFormat: 'named' }, body('Hi {{first_name}}, your order is on its way today.', { first_name: 'Pablo' }))],
  [
    'variables.mixed',
    'components',
    draft({}, body('Hi {{1}}, your order {{order_id}} is on its way and arrives tomorrow.', ['Pablo', '#1'])),
    draft({}, body('Hi {{1}}, your order {{2}} is on its way and arrives tomorrow.', ['Pablo', '#1'])),
  ],
  [
    'variables.format-mismatch',
    'parameterFormat',
    draft({ parameterFormat: 'positional' }, body('Hi {{first_name}}, your order is on its way today.', { first_name: 'Pablo' })),
    draft({ parameterFormat: 'named' }, body('Hi {{first_name}}, your order is on its way today.', { first_name: 'Pablo' })),
  ],
  [
    'variables.sequence',
    'components.body.text',
    draft({}, body('Hi {{1}}, your order {{3}} is on its way and arrives tomorrow.', ['Pablo', '#1'])),
    draft({}, body('Hi {{1}}, your order {{2}} is on its way and arrives tomorrow.', ['Pablo', '#1'])),
  ],
  [
    'examples.required',
    'components.body.examples',
    draft({}, body('Hi {{1}}, your order {{2}} is on its way and arrives tomorrow.', ['Pablo'])),
    draft({}, body('Hi {{1}}, your order {{2}} is on its way and arrives tomorrow.', ['Pablo', '#1'])),
  ],
  ['body.required', 'components.body.text', draft({}, body('   ')), draft({}, body('Thanks for your order.'))],
  ['body.length', 'components.body.text', draft({}, body(`Hello. ${'x'.repeat(1020)}`)), draft({}, body(`Hello. ${'x'.repeat(1000)}`))],
  [
    'body.dangling-variable',
    'components.body.text',
    draft({}, body('{{1}}, your order is on its way and arrives tomorrow.', ['Pablo'])),
    draft({}, body('Hi {{1}}, your order is on its way and arrives tomorrow.', ['Pablo'])),
  ],
  [
    'body.adjacent-variables',
    'components.body.text',
    draft({}, body('Hi {{1}}{{2}}, your order is on its way and arrives tomorrow.', ['Pablo', 'Diaz'])),
    draft({}, body('Hi {{1}} and {{2}}, your order is on its way and arrives tomorrow.', ['Pablo', 'Diaz'])),
  ],
  ['body.newlines', 'components.body.text', draft({}, body('Thanks for your order.\n\n\n\n\nSee you soon.')), draft({}, body('Thanks for your order.\n\n\n\nSee you soon.'))],
  [
    'body.variable-alone-on-line',
    'components.body.text',
    draft({}, body('Your order number is below.\n{{1}}\nThanks for shopping with us.', ['#1'])),
    draft({}, body('Your order number is below.\nOrder: {{1}}\nThanks for shopping with us.', ['#1'])),
  ],
  [
    'body.variable-density',
    'components.body.text',
    draft({}, body('Hi {{1}}, order {{2}} ships {{3}} now.', ['a', 'b', 'c'])),
    draft({}, body('Hi {{1}}, your order {{2}} ships from our warehouse {{3}} right now.', ['a', 'b', 'c'])),
  ],
  ['header.length', 'components.header.text', draft({}, { header: { format: 'TEXT', text: 'H'.repeat(61) } }), draft({}, { header: { format: 'TEXT', text: 'H'.repeat(60) } })],
  [
    'header.variables',
    'components.header.text',
    draft({}, { header: { format: 'TEXT', text: 'Order {{1}} for {{2}}', examples: ['1', '2'] } }),
    draft({}, { header: { format: 'TEXT', text: 'Order {{1}}', examples: ['1'] } }),
  ],
  ['header.newline', 'components.header.text', draft({}, { header: { format: 'TEXT', text: 'Your\norder' } }), draft({}, { header: { format: 'TEXT', text: 'Your order' } })],
  ['header.emoji', 'components.header.text', draft({}, { header: { format: 'TEXT', text: 'Your order 🎉' } }), draft({}, { header: { format: 'TEXT', text: 'Your order' } })],
  ['header.formatting', 'components.header.text', draft({}, { header: { format: 'TEXT', text: '*Your order*' } }), draft({}, { header: { format: 'TEXT', text: 'Your order' } })],
  ['header.example-required', 'components.header.exampleUrl', draft({}, { header: { format: 'IMAGE' } }), draft({}, { header: { format: 'IMAGE', exampleUrl: '4::aW1hZ2UvanBlZw==' } })],
  ['footer.length', 'components.footer.text', draft({}, { footer: { text: 'F'.repeat(61) } }), draft({}, { footer: { text: 'F'.repeat(60) } })],
  ['footer.variables', 'components.footer.text', draft({}, { footer: { text: 'Reply {{1}} to stop' } }), draft({}, { footer: { text: 'Reply STOP to stop' } })],
  [
    'buttons.count',
    'components.buttons',
    draft({}, { buttons: Array.from({ length: 11 }, (_, i) => ({ type: 'QUICK_REPLY' as const, text: `Option ${i}` })) }),
    draft({}, { buttons: Array.from({ length: 10 }, (_, i) => ({ type: 'QUICK_REPLY' as const, text: `Option ${i}` })) }),
  ],
  [
    'buttons.url-count',
    'components.buttons',
    draft({}, { buttons: [1, 2, 3].map((i) => ({ type: 'URL' as const, text: `Site ${i}`, url: `https://a.example/${i}` })) }),
    draft({}, { buttons: [1, 2].map((i) => ({ type: 'URL' as const, text: `Site ${i}`, url: `https://a.example/${i}` })) }),
  ],
  [
    'buttons.phone-count',
    'components.buttons',
    draft({}, { buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '+15550783881' }, { type: 'PHONE_NUMBER', text: 'Call 2', phoneNumber: '+15550783882' }] }),
    draft({}, { buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '+15550783881' }] }),
  ],
  [
    'buttons.copy-code-count',
    'components.buttons',
    draft({}, { buttons: [{ type: 'COPY_CODE', example: 'A1' }, { type: 'COPY_CODE', example: 'B2' }] }),
    draft({}, { buttons: [{ type: 'COPY_CODE', example: 'A1' }] }),
  ],
  [
    'buttons.grouping',
    'components.buttons',
    draft({}, { buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'URL', text: 'Site', url: 'https://a.example' }, { type: 'QUICK_REPLY', text: 'No' }] }),
    draft({}, { buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'QUICK_REPLY', text: 'No' }, { type: 'URL', text: 'Site', url: 'https://a.example' }] }),
  ],
  ['buttons.text-length', 'components.buttons[0].text', draft({}, { buttons: [{ type: 'QUICK_REPLY', text: 'B'.repeat(26) }] }), draft({}, { buttons: [{ type: 'QUICK_REPLY', text: 'B'.repeat(25) }] })],
  [
    'buttons.url-variable-position',
    'components.buttons[0].url',
    draft({}, { buttons: [{ type: 'URL', text: 'Track', url: 'https://a.example/{{1}}/track', example: 'x' }] }),
    draft({}, { buttons: [{ type: 'URL', text: 'Track', url: 'https://a.example/track/{{1}}', example: 'x' }] }),
  ],
  [
    'buttons.url-example-required',
    'components.buttons[0].example',
    draft({}, { buttons: [{ type: 'URL', text: 'Track', url: 'https://a.example/track/{{1}}' }] }),
    draft({}, { buttons: [{ type: 'URL', text: 'Track', url: 'https://a.example/track/{{1}}', example: 'abc' }] }),
  ],
  ['buttons.url-format', 'components.buttons[0].url', draft({}, { buttons: [{ type: 'URL', text: 'Site', url: 'a.example/track' }] }), draft({}, { buttons: [{ type: 'URL', text: 'Site', url: 'https://a.example/track' }] })],
  ['buttons.url-length', 'components.buttons[0].url', draft({}, { buttons: [{ type: 'URL', text: 'Site', url: `https://a.example/${'p'.repeat(2000)}` }] }), draft({}, { buttons: [{ type: 'URL', text: 'Site', url: `https://a.example/${'p'.repeat(1900)}` }] })],
  [
    'buttons.phone-format',
    'components.buttons[0].phoneNumber',
    draft({}, { buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: 'call us' }] }),
    draft({}, { buttons: [{ type: 'PHONE_NUMBER', text: 'Call', phoneNumber: '+1 (555) 078-3881' }] }),
  ],
  ['buttons.copy-code-example-length', 'components.buttons[0].example', draft({}, { buttons: [{ type: 'COPY_CODE', example: 'X'.repeat(16) }] }), draft({}, { buttons: [{ type: 'COPY_CODE', example: 'X'.repeat(15) }] })],
  ['auth.otp-button', 'components.buttons', otpAuth({ buttons: [] }), otpAuth()],
  ['auth.other-buttons', 'components.buttons', otpAuth({ buttons: [{ type: 'OTP', otpType: 'COPY_CODE' }, { type: 'QUICK_REPLY', text: 'Help' }] }), otpAuth()],
  ['auth.no-header', 'components.header', otpAuth({ header: { format: 'IMAGE', exampleUrl: 'h' } }), otpAuth()],
  ['auth.no-url', 'components.body.text', otpAuth({ body: { text: '{{1}} is your code. See https://a.example', examples: ['1'] } }), otpAuth()],
  ['auth.no-emoji', 'components.body.text', otpAuth({ body: { text: '{{1}} is your code 🔐', examples: ['1'] } }), otpAuth()],
  ['otp.category', 'components.buttons[0]', draft({}, { buttons: [{ type: 'OTP', otpType: 'ONE_TAP' }] }), draft({}, { buttons: [{ type: 'QUICK_REPLY', text: 'OK' }] })],
];

describe('lintTemplate', () => {
  it('finds nothing wrong with a well-formed draft', () => {
    expect(lintTemplate(base)).toEqual([]);
  });

  it('has a case for every rule it can report', () => {
    expect(new Set(cases.map(([rule]) => rule)).size).toBe(cases.length);
  });

  it.each(cases)('%s', (rule, path, bad, good) => {
    const problems = lintTemplate(bad);
    const problem = problems.find((p) => p.rule === rule);
    expect(problem, `expected ${rule} in ${JSON.stringify(problems)}`).toBeDefined();
    expect(problem!.path).toBe(path);
    expect(problem!.message).toMatch(/^[A-Z"{].+[.)]$/);
    expect(lintTemplate(good)).toEqual([]);
  });

  it('reports every problem of a bad draft, one per issue', () => {
    const problems = lintTemplate(draft({ name: 'Bad Name', language: 'english' }, { body: { text: '{{1}}{{2}}' }, footer: { text: 'Hi {{1}}' } }));
    expect(problems.map((p) => p.rule)).toEqual([
      'name.format',
      'language.format',
      'examples.required',
      'body.dangling-variable',
      'body.adjacent-variables',
      'body.variable-density',
      'footer.variables',
    ]);
  });
});

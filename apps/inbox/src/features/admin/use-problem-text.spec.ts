import { lintTemplate, TEMPLATE_LINT_RULES } from '@obrol/whatsapp';
import { mount } from '@vue/test-utils';
import { defineComponent } from 'vue';
import { describe, expect, it } from 'vitest';
import { createInboxI18n } from '../../i18n';
import en from '../../i18n/en';
import id from '../../i18n/id';
import { useProblemText } from './use-problem-text';

const at = (messages: object, rule: string): unknown => rule.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], (messages as { lint: object }).lint);

/** Renders problems through the composable, in a real i18n of the inbox. */
function problemTexts(locale: 'en' | 'id', problems: Parameters<ReturnType<typeof useProblemText>>[0][]): string[] {
  let texts: string[] = [];
  const Probe = defineComponent({
    setup() {
      const text = useProblemText();
      texts = problems.map(text);
      return () => null;
    },
  });
  mount(Probe, { global: { plugins: [createInboxI18n(locale)] } });
  return texts;
}

describe('template problems in the admin language', () => {
  it('has an English and an Indonesian sentence for every rule the WhatsApp linter can report', () => {
    const missing = TEMPLATE_LINT_RULES.flatMap((rule) => [en, id].filter((messages) => typeof at(messages, rule) !== 'string').map((messages) => `${messages === en ? 'en' : 'id'}:${rule}`));
    expect(missing).toEqual([]);
  });

  it('fills in the values the linter names, and prints literal variables', () => {
    const problems = lintTemplate({
      name: 'Bad Name',
      language: 'en',
      category: 'UTILITY',
      parameterFormat: 'positional',
      components: { body: { text: '{{1}} your order {{3}} is ready', examples: ['Ani'] } },
    });
    const [nameText] = problemTexts('id', problems.filter((p) => p.rule === 'name.format'));
    expect(nameText).toBe('Nama "Bad Name" hanya boleh berisi huruf kecil a–z, angka 0–9 dan garis bawah (mis. order_update).');
    const [sequence] = problemTexts('id', problems.filter((p) => p.rule === 'variables.sequence'));
    expect(sequence).toBe('Variabel bernomor harus mulai dari {{1}} dan naik tanpa lompatan sesuai urutan kemunculannya (ditemukan {{1}}, {{3}}).');
    const [dangling] = problemTexts('en', problems.filter((p) => p.rule === 'body.dangling-variable'));
    expect(dangling).toBe(problems.find((p) => p.rule === 'body.dangling-variable')!.message);
  });

  it('shows the English sentence of a rule the app does not know', () => {
    expect(problemTexts('id', [{ path: 'components', rule: 'shape.invalid_type', message: 'Expected string, received number' }])).toEqual(['Expected string, received number']);
  });
});

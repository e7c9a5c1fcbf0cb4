import type { TemplateProblem } from '@obrol/contracts';
import { mount } from '@vue/test-utils';
import { defineComponent } from 'vue';
import { describe, expect, it } from 'vitest';
import { createInboxI18n } from '../../i18n';
import { useProblemText } from './use-problem-text';

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
  it('fills in the values the linter names, and prints literal variables', () => {
    // As the WhatsApp linter reports them for "Bad Name" with the body "{{1}} your order {{3}} is ready"
    // (every rule id having both sentences is checked in the server, which may import the plugin).
    const problems: TemplateProblem[] = [
      { path: 'name', rule: 'name.format', message: 'The name "Bad Name" may only contain lower-case letters a–z, digits 0–9 and underscores (e.g. order_update).', params: { name: 'Bad Name' } },
      { path: 'components.body.text', rule: 'variables.sequence', message: 'Numbered variables must start at {{1}} and count up without gaps in the order they appear (found {{1}}, {{3}}).', params: { found: '{{1}}, {{3}}' } },
      { path: 'components.body.text', rule: 'body.dangling-variable', message: 'The body must not start or end with a variable; add words before the first and after the last one.' },
    ];
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

import { uiMessages } from '@obrol/ui';
import { describe, expect, it } from 'vitest';
import { createInboxI18n } from './index';
import en from './en';
import id from './id';

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('inbox messages', () => {
  it('has the same keys in English and Indonesian, for the app and the ui components', () => {
    expect(keys(id)).toEqual(keys(en));
    expect(keys(uiMessages.id)).toEqual(keys(uiMessages.en));
  });

  it('compiles every message in both languages (no stray @ or braces)', () => {
    const i18n = createInboxI18n('en');
    for (const locale of ['en', 'id'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys({ ...en, ui: uiMessages.en })) {
        const text = i18n.global.t(key, { count: 2, message: 'm', name: 'n', type: 't', emoji: 'e', hours: 1, minutes: 2, index: 1, format: 'image', names: 'Ani', time: '09:00', text: 'x', at: '@', date: 'd', language: 'l', url: 'u' });
        expect(text, `${locale}:${key}`).not.toBe(key);
        // Linter sentences print template variables such as {{1}} on purpose.
        if (!key.startsWith('lint.')) expect(text).not.toMatch(/[{}]/);
      }
    }
  });
});

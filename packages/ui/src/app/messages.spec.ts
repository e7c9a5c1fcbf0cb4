import { ERROR_CODES } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { createAppI18n } from './i18n';
import en from './messages.en';
import id from './messages.id';

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('the texts both apps share', () => {
  it('has the same keys in English and Indonesian', () => {
    expect(keys(id)).toEqual(keys(en));
  });

  it('has a sentence for every error code the API can answer with, and for the client-side ones, so no raw server text reaches the reader', () => {
    expect(Object.keys(en.errors).sort()).toEqual([...Object.keys(ERROR_CODES), 'NETWORK_ERROR', 'BAD_RESPONSE', 'UNKNOWN'].sort());
  });

  it('compiles every shared text in both languages (no stray @ or braces)', () => {
    const i18n = createAppI18n({ en: {}, id: {} }, 'en');
    for (const locale of ['en', 'id'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(en)) {
        const text = i18n.global.t(key);
        expect(text, `${locale}:${key}`).not.toBe(key);
        expect(text, `${locale}:${key}`).not.toMatch(/[{}]/);
      }
    }
  });

  it('adds an app’s keys to a shared section of the same name, and lets an app word a shared text its own way', () => {
    const i18n = createAppI18n({ en: { app: { title: 'Obrol Test' }, errors: { NOT_FOUND: 'That broadcast is gone.' } }, id: {} }, 'en');
    expect(i18n.global.t('app.title')).toBe('Obrol Test');
    expect(i18n.global.t('app.language')).toBe('Language');
    expect(i18n.global.t('errors.NOT_FOUND')).toBe('That broadcast is gone.');
    expect(i18n.global.t('errors.FORBIDDEN')).toBe(en.errors.FORBIDDEN);
    i18n.global.locale.value = 'id';
    expect(i18n.global.t('errors.NOT_FOUND')).toBe(id.errors.NOT_FOUND);
  });
});

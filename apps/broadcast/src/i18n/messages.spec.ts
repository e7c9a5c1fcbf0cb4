import { describe, expect, it } from 'vitest';
import { createBroadcastI18n } from './index';
import en from './en';
import id from './id';

function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k)).sort();
}
const PARAMS = { count: 2, message: 'm', name: 'n', time: 't', file: 'f', rows: 3, percent: 4, imported: 5, ready: 6, n: 1, total: 2, phone: 'p', local: 'l', zone: 'z', actual: 'a', text: 'x', done: 1, rate: '1.0', eta: '1 s', reason: 'r', value: 'v', earlier: 2, column: 'c', cells: 1, expected: 2, columns: 'phone', detail: 'd', kind: 'k', accepted: 'image/png', max: '5 MB', where: 'w', source: 's', length: 70, media: 'image', url: 'http://x', date: '2026-11-01', country: 'US', status: 'PAUSED', field: 'f', actor: 'an agent', error: 'e', failed: 3, window: 10, template: 'promo', language: 'en_US', limit: '250', until: '30 Nov 2026 06.01' };

describe('broadcast app messages', () => {
  it('has the same keys in English and Indonesian', () => {
    expect(keys(id)).toEqual(keys(en));
  });

  it('compiles every message in both languages, every placeholder filled', () => {
    const i18n = createBroadcastI18n('en');
    for (const locale of ['en', 'id'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(en)) {
        const text = i18n.global.t(key, PARAMS);
        expect(text, `${locale}:${key}`).not.toBe(key);
        expect(text, `${locale}:${key}`).not.toMatch(/[{}]/);
      }
    }
  });
});

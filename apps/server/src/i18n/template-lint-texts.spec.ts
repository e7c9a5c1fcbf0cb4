// Spans a plugin and an app, so it lives in the server, the one package that may depend on both.
import { createRequire } from 'node:module';
import path from 'node:path';
import { TEMPLATE_LINT_RULES } from '@obrol/whatsapp';
import { describe, expect, it } from 'vitest';

const inbox = path.dirname(createRequire(import.meta.url).resolve('@obrol/inbox/package.json'));
const catalogue = async (locale: 'en' | 'id') => ((await import(path.join(inbox, 'src/i18n', `${locale}.ts`))) as { default: { lint: object } }).default;
const textAt = (messages: { lint: object }, rule: string): unknown => rule.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], messages.lint);

describe("the WhatsApp template linter's rules in the inbox's languages", () => {
  it('has an English and an Indonesian sentence for every rule the linter can report', async () => {
    const missing: string[] = [];
    for (const locale of ['en', 'id'] as const) {
      const messages = await catalogue(locale);
      for (const rule of TEMPLATE_LINT_RULES) if (typeof textAt(messages, rule) !== 'string') missing.push(`${locale}:${rule}`);
    }
    expect(TEMPLATE_LINT_RULES.length).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { expectedSampleNames, metaSampleNames, metaWebhookFixtures } from './test-support/contract-fixtures.js';
import { NOW, signedWebhook, testContext } from './test-support/whatsapp-test.context.js';
import { createWhatsAppChannel } from './whatsapp.channel.js';

/**
 * Every real Meta sample in test-fixtures/meta (copied from shared/fixtures/whatsapp, see the
 * .source.md beside each) goes through a correctly signed parseWebhook, and the normalised
 * events are checked field by field against the expectations the contract suite also uses
 * (test-support/contract-fixtures.ts).
 */
const channel = createWhatsAppChannel({ fetch: () => Promise.reject(new Error('no network in this test')) });

function parse(body: Buffer) {
  const result = channel.parseWebhook(signedWebhook(body), testContext());
  if (!result.ok) throw new Error(`${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('parseWebhook on Meta samples', () => {
  it('has an expectation for every fixture file (and a fixture for every expectation)', () => {
    expect(metaSampleNames().sort()).toEqual(expectedSampleNames().sort());
  });

  it.each(metaWebhookFixtures().map((f) => [f.name, f] as const))('%s', (_name, fixture) => {
    const parsed = parse(fixture.body as Buffer);
    expect(parsed.events).toEqual(fixture.events);
  });

  it('never uses the clock for fixtures that carry their own timestamps', () => {
    for (const fixture of metaWebhookFixtures()) {
      for (const event of parse(fixture.body as Buffer).events) expect(event.timestamp).not.toEqual(NOW);
    }
  });
});

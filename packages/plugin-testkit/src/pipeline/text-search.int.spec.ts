import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** `q` finds names by a piece of them, ignoring case, with `_` and `%` meaning themselves on both databases. */
for (const stack of stacks) describe.skipIf(!stack.run)(`searching templates and contacts by text on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('finds templates by a piece of their name with an underscore, and not by a wildcard', async () => {
    for (const name of ['order_update', 'orderXupdate', 'promo_50%_off', 'promo_500_off']) {
      env.provider.templates.push({ name, language: 'en', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: `Hi {{1}}, ${name}` } }, status: 'APPROVED', externalId: `tpl-${name}` });
    }
    expect((await env.api('POST', `/api/v1/channels/${inbox.id}/templates/sync`)).status).toBe(200);
    const names = async (q: string) => (await env.api('GET', `/api/v1/channels/${inbox.id}/templates?q=${encodeURIComponent(q)}`)).body.items.map((t: { name: string }) => t.name);
    expect(await names('order_')).toEqual(['order_update']);
    expect(await names('ORDER_UP')).toEqual(['order_update']);
    expect(await names('50%')).toEqual(['promo_50%_off']);
    expect(await names('promo_5')).toEqual(['promo_50%_off', 'promo_500_off']);
    expect(await names('%')).toEqual(['promo_50%_off']);
  });

  it('finds contacts by a piece of their name with an underscore, ignoring case', async () => {
    const customers = [
      { id: '6281800000001', name: 'sari_wijaya' },
      { id: '6281800000002', name: 'SariXwijaya' },
      { id: '6281800000003', name: 'Budi 100%' },
    ];
    for (const [i, from] of customers.entries()) {
      expect((await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(`search-${i}`, from, 'halo')] })).status).toBe(200);
    }
    await eventually(async () => ((await env.api('GET', '/api/v1/contacts')).body.items.length >= customers.length ? true : null), 10_000, 'the contacts');
    const names = async (q: string) => (await env.api('GET', `/api/v1/contacts?q=${encodeURIComponent(q)}`)).body.items.map((c: { name: string }) => c.name).sort();
    expect(await names('SARI_')).toEqual(['sari_wijaya']);
    expect(await names('sari')).toEqual(['SariXwijaya', 'sari_wijaya']);
    expect(await names('0%')).toEqual(['Budi 100%']);
  });
});

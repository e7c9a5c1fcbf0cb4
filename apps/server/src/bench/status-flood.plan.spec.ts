import { describe, expect, it } from 'vitest';
import { describeWebhook, planFlood, type FloodWebhook } from './status-flood.plan.js';

const signed = { body: Buffer.from('{}'), signature: 'sha256=00' };
const status = (wamid: string, s: string): FloodWebhook => ({ ...signed, kind: 'status', wamid, status: s, duplicate: false });
const inbound = (wamid: string): FloodWebhook => ({ ...signed, kind: 'message', wamid, duplicate: false });

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('planFlood', () => {
  const webhooks = [...['a', 'b', 'c', 'd'].flatMap((m) => ['sent', 'delivered', 'read'].map((s) => status(m, s))), inbound('x'), inbound('y')];

  it('keeps every webhook once and adds the share of duplicates, statuses only', () => {
    const plan = planFlood(webhooks, 0.25, seeded(7));
    expect(plan).toHaveLength(webhooks.length + 3);
    const originals = plan.filter((w) => !w.duplicate);
    expect(originals.map((w) => `${w.wamid}:${w.status}`).sort()).toEqual(webhooks.map((w) => `${w.wamid}:${w.status}`).sort());
    expect(plan.filter((w) => w.duplicate).every((w) => w.kind === 'status')).toBe(true);
  });

  it('mixes the order', () => {
    const plan = planFlood(webhooks, 0, seeded(3));
    expect(plan.map((w) => `${w.wamid}:${w.status}`)).not.toEqual(webhooks.map((w) => `${w.wamid}:${w.status}`));
  });
});

describe('describeWebhook', () => {
  const envelope = (value: object) => ({ object: 'whatsapp_business_account', entry: [{ id: 'waba', changes: [{ field: 'messages', value }] }] });

  it('reads a status webhook', () => {
    expect(describeWebhook(envelope({ statuses: [{ id: 'wamid.1', status: 'read' }] }), signed)).toMatchObject({ kind: 'status', wamid: 'wamid.1', status: 'read' });
  });

  it('reads an inbound message webhook', () => {
    expect(describeWebhook(envelope({ messages: [{ id: 'wamid.2', type: 'text' }] }), signed)).toMatchObject({ kind: 'message', wamid: 'wamid.2' });
  });

  it('ignores anything else', () => {
    expect(describeWebhook({ object: 'whatsapp_business_account', entry: [] }, signed)).toBeUndefined();
  });
});

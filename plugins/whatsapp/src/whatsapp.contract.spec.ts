import { CONTRACT_ACCOUNT, describeChannelContract } from '@obrol/plugin-testkit';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT_NOW,
  CUSTOMER_WA_ID,
  expectedSampleNames,
  metaSampleNames,
  startSimulatedSendTarget,
  whatsAppContractFixtures,
} from './test-support/contract-fixtures.js';
import { createWhatsAppChannel } from './whatsapp.channel.js';

describeChannelContract(createWhatsAppChannel(), whatsAppContractFixtures());

/** Checks of the fixtures themselves, so the contract above tests what it claims to. */
describe('WhatsApp contract fixtures', () => {
  it('give the expected events of every Meta sample in test-fixtures/meta, and of no other', () => {
    expect(metaSampleNames().sort()).toEqual(expectedSampleNames().sort());
  });

  async function sessionTextStatus(customerWritesFirst: boolean) {
    const { simulator, target } = await startSimulatedSendTarget({ customerWritesFirst });
    try {
      const sent = await createWhatsAppChannel().send(
        { messageId: 'fixture-check', to: target.to, content: { type: 'text', text: 'Yes, it also comes in blue.' } },
        'fixture-check',
        { ...CONTRACT_ACCOUNT, config: target.config, clock: { now: () => CONTRACT_NOW } },
      );
      expect(sent.ok).toBe(true);
      await expect.poll(() => simulator.inbox(CUSTOMER_WA_ID)[0]?.status, { timeout: 2_000 }).toMatch(/^(delivered|failed)$/);
      return simulator.inbox(CUSTOMER_WA_ID)[0]!;
    } finally {
      await target.close?.();
    }
  }

  it("the send target's customer wrote first, so the session text is delivered inside the 24-hour window", async () => {
    expect((await sessionTextStatus(true)).status).toBe('delivered');
  });

  it('without that first message the simulator fails the same text with 131047 (window closed)', async () => {
    const record = await sessionTextStatus(false);
    expect(record.status).toBe('failed');
    expect(record.errors?.[0]?.code).toBe(131047);
  });
});

import { AccountRecheckJob } from '@obrol/core';
import { TestClock, type TestObrol, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppPlugin } from './whatsapp.plugin.js';

const HOUR = 60 * 60 * 1000;

/**
 * Issue 10: the daily limit of business-initiated messages follows the portfolio's messaging
 * tier. Meta announces a new tier with `business_capability_update`; Obrol then reads the tier
 * from the phone number's API and keeps it with the account's last check, where the broadcast
 * engine paces from. (One database is enough: the job and the webhook path are shape-neutral.)
 */
describe('the messaging tier of a WhatsApp number', () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  let env: TestObrol;
  let sim: WhatsAppSimulator;
  let channelId: string;
  let job: AccountRecheckJob;
  const appSecret = 'sim-app-secret-tier-0123';

  beforeAll(async () => {
    sim = await startWhatsAppSimulator({ appSecret, accessToken: 'tier-token', clock, messagingLimit: 'TIER_250', pairRateLimit: false });
    env = await startTestObrol({ database: 'sqlite', bus: 'memory', clock, plugins: [WhatsAppPlugin] });
    const created = await env.api('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name: 'WhatsApp',
      config: { phoneNumberId: sim.config.phoneNumberId, wabaId: sim.config.wabaId, accessToken: 'tier-token', appSecret, verifyToken: 'verify-me', graphApiBaseUrl: sim.url },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
    sim.setWebhookUrl(`${env.url}/webhooks/whatsapp/${channelId}`);
    job = env.app.app.get(AccountRecheckJob);
  });
  afterAll(async () => {
    await sim?.close();
    await env?.close();
  });

  const tier = async () => (await env.api('GET', `/api/v1/channels/${channelId}`)).body.health.details.messagingLimit as string;

  it('is read again when Meta announces a new tier, and left alone while nothing is announced', async () => {
    expect(await tier()).toBe('TIER_250');
    // Nothing announced and the check is fresh: no call to Meta.
    expect(await job.recheckDue()).toBe(0);

    sim.setMessagingLimit('TIER_2K');
    await sim.whenIdle();
    await eventually(async () => ((await job.recheckDue()) > 0 ? true : undefined), 10_000, 'a recheck after the announcement');
    expect(await tier()).toBe('TIER_2K');
    // The announcement was taken into account once.
    expect(await job.recheckDue()).toBe(0);
  });

  it('is read again after six hours even without an announcement (Meta scales tiers on its own)', async () => {
    // Meta changed the tier without its webhook reaching Obrol (kept in the simulator's queue).
    sim.setWebhookUrl(undefined);
    sim.setMessagingLimit('TIER_10K');
    expect(await job.recheckDue()).toBe(0);
    clock.advance(6 * HOUR);
    expect(await job.recheckDue()).toBe(1);
    expect(await tier()).toBe('TIER_10K');
  });
});

// The broadcasts plugin with the WhatsApp plugin and the simulator: lives in the server, the one package that may compose plugins.
import type { Clock } from '@obrol/contracts';
import { type TestObrol, availableStacks, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { WhatsAppPlugin } from '@obrol/whatsapp';
import { BroadcastEngine, BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Sends cross the bus, a worker and the simulator on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const MINUTE = 60 * 1000;

/**
 * Real time, moved forward by the test: sends need time to pass (the number's pace refills with
 * it), and a restriction's end is reached by a jump.
 */
class TravellingClock implements Clock {
  private ahead = 0;
  now(): Date {
    return new Date(Date.now() + this.ahead);
  }
  advance(ms: number): void {
    this.ahead += ms;
  }
  travelTo(at: Date): void {
    this.advance(Math.max(0, at.getTime() - this.now().getTime()));
  }
}

const stacks = await availableStacks();
const appSecret = 'sim-app-secret-restricted-broadcasts';
const accessToken = 'sim-token-restricted-broadcasts';
const variables = { body: [{ source: { from: 'column', column: 'name' } }, { source: { from: 'constant', value: '#1' } }, { source: { from: 'constant', value: 'on its way' } }] };
/** Numbers of Indonesian mobile customers, unique per test through `base`. */
const phones = (base: number, n: number) => Array.from({ length: n }, (_, i) => `+62815${String(base + i).padStart(8, '0')}`);
const csvOf = (numbers: string[]) => ['phone,name', ...numbers.map((p, i) => `${p},Customer ${i}`)].join('\n');
/** Meta's expiration is in whole seconds. */
const wholeSeconds = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000);

/**
 * A broadcast WhatsApp's restriction paused goes on by itself once the number may start
 * conversations again — WhatsApp lifted the restriction, or its end passed — and reaches each
 * customer once; a broadcast paused for anything else stays paused for a person.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`broadcasts when a restriction ends, against the simulator on ${stack.name}`, () => {
  const clock = new TravellingClock();
  let env: TestObrol;
  const numbers: WhatsAppSimulator[] = [];

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, plugins: [WhatsAppPlugin, BroadcastsPlugin.init({ maxMessagesPerSecond: 1_000, dispatchIntervalMs: 50 })] });
  });
  afterAll(async () => {
    for (const sim of numbers) await sim.close();
    await env?.close();
  });

  /** A number on a simulator of its own (a restriction is the number's), connected as a channel. */
  async function newNumber(name: string) {
    const sim = await startWhatsAppSimulator({ appSecret, accessToken, clock, pairRateLimit: false, statusDelaysMs: { sent: 5, delivered: 10, read: 20 } });
    numbers.push(sim);
    const created = await env.api('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name,
      config: { phoneNumberId: sim.config.phoneNumberId, wabaId: sim.config.wabaId, accessToken, appSecret, verifyToken: 'verify-me', graphApiBaseUrl: sim.url },
    });
    expect(created.status).toBe(201);
    sim.setWebhookUrl(`${env.url}/webhooks/whatsapp/${created.body.id}`);
    return { sim, channel: created.body.id as string };
  }
  async function draft(channelAccountId: string, name: string, audience: string[], messagesPerSecond: number) {
    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId, name, template: { name: 'order_update', language: 'en_US' }, variables, messagesPerSecond });
    expect(created.status).toBe(201);
    const uploaded = await env.api('POST', `/api/v1/broadcasts/${created.body.id}/audience`, undefined, { raw: csvOf(audience), headers: { 'content-type': 'text/csv' } });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
    return created.body.id as string;
  }
  const broadcast = async (id: string) => (await env.api('GET', `/api/v1/broadcasts/${id}`)).body;
  const until = (id: string, what: string, check: (b: any) => boolean) =>
    eventually(async () => {
      const b = await broadcast(id);
      return check(b) ? b : null;
    }, 120_000, what);
  /** How many templates each of `audience` got from `sim`. */
  const sentTo = (sim: WhatsAppSimulator, audience: string[]) => {
    const wanted = new Set(audience.map((p) => p.slice(1)));
    const counts = new Map<string, number>();
    for (const m of sim.sent) if (m.type === 'template' && wanted.has(m.waId)) counts.set(m.waId, (counts.get(m.waId) ?? 0) + 1);
    return counts;
  };
  const expectEachReachedOnce = (sim: WhatsAppSimulator, audience: string[]) => {
    const counts = sentTo(sim, audience);
    expect(counts.size).toBe(audience.length);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  };
  /** Starts the broadcast and resolves once `sim` has sent the first three of `audience`. */
  async function startAndSendSome(id: string, sim: WhatsAppSimulator, audience: string[]) {
    expect((await env.api('POST', `/api/v1/broadcasts/${id}/start`, {})).status).toBe(200);
    await eventually(() => sentTo(sim, audience).size >= 3 || null, 60_000, 'the first sends');
  }
  /** WhatsApp announces what the number may not do (nothing: lifted), a second after its last word: its `time` orders them. */
  function announce(sim: WhatsAppSimulator, types: string[], end: Date) {
    clock.advance(1_000);
    sim.announceRestriction(types, end);
  }
  /** The job that resumes broadcasts once a restriction ended, run now rather than waited for. */
  const runRestrictionJob = () => env.app.app.get(BroadcastEngine).resumeUnrestricted();

  it('resumes a broadcast its restriction paused once WhatsApp lifts it, reaching everyone once; one a person paused stays paused', async () => {
    const { sim, channel } = await newNumber('WhatsApp (restriction lifted)');
    const byPerson = phones(100_000, 20);
    const held = await draft(channel, 'Paused by a person', byPerson, 4);
    await startAndSendSome(held, sim, byPerson);
    expect((await env.api('POST', `/api/v1/broadcasts/${held}/pause`)).status).toBe(200);

    const audience = phones(200_000, 24);
    const id = await draft(channel, 'Restricted, then lifted', audience, 4);
    await startAndSendSome(id, sim, audience);
    const end = wholeSeconds(new Date(clock.now().getTime() + 6 * 60 * MINUTE));
    announce(sim, ['RESTRICTED_BIZ_INITIATED_MESSAGING'], end);
    const paused = await until(id, 'the pause on the restriction', (b) => b.status === 'paused');
    expect(paused).toMatchObject({ reasonCode: 'PAUSED_RESTRICTED', reasonParams: { until: end.toISOString() }, counters: expect.objectContaining({ failed: 0 }) });
    expect(paused.reason).toBe(`Paused automatically: WhatsApp restricted this number from starting conversations until ${end.toISOString()}. It resumes by itself when the restriction ends.`);
    expect(paused.counters.pending + paused.counters.queued).toBeGreaterThan(0);
    // While the restriction lasts, the job leaves it paused.
    await runRestrictionJob();
    expect((await broadcast(id)).status).toBe('paused');

    announce(sim, [], end);
    const done = await until(id, 'completion after the lift', (b) => b.status === 'completed');
    expect(done).toMatchObject({
      reasonCode: 'RESUMED_AFTER_RESTRICTION',
      reasonParams: { end: 'lifted' },
      reason: 'Resumed automatically: WhatsApp lifted the restriction on starting conversations.',
      counters: expect.objectContaining({ total: 24, failed: 0 }),
    });
    expectEachReachedOnce(sim, audience);

    // Paused by a person: neither the lift nor the job resumes it.
    await runRestrictionJob();
    const stillHeld = await broadcast(held);
    expect(stillHeld).toMatchObject({ status: 'paused', reasonCode: 'PAUSED_BY', reasonParams: { actor: 'agent' } });
    expect(sentTo(sim, byPerson).size).toBeLessThan(byPerson.length);
  });

  it("resumes by itself once the restriction's end passes, with no word from WhatsApp; not while a newer restriction lasts", async () => {
    const { sim, channel } = await newNumber('WhatsApp (restriction ends)');
    const audience = phones(300_000, 24);
    const id = await draft(channel, 'Restricted until a time', audience, 4);
    await startAndSendSome(id, sim, audience);
    const firstEnd = wholeSeconds(new Date(clock.now().getTime() + 2 * MINUTE));
    announce(sim, ['RESTRICTED_BIZ_INITIATED_MESSAGING'], firstEnd);
    await until(id, 'the pause on the restriction', (b) => b.status === 'paused' && b.reasonParams?.until === firstEnd.toISOString());
    // A newer restriction moves the end: the paused broadcast says so.
    const laterEnd = wholeSeconds(new Date(firstEnd.getTime() + 2 * MINUTE));
    announce(sim, ['RESTRICTED_BIZ_INITIATED_MESSAGING'], laterEnd);
    await until(id, 'the later end', (b) => b.status === 'paused' && b.reasonParams?.until === laterEnd.toISOString());

    // Past the first end, the newer restriction is still in force.
    clock.travelTo(new Date(firstEnd.getTime() + 1_000));
    expect(await runRestrictionJob()).toBe(0);
    expect(await broadcast(id)).toMatchObject({ status: 'paused', reasonCode: 'PAUSED_RESTRICTED' });

    // Past its end: the job resumes it on its own.
    clock.travelTo(new Date(laterEnd.getTime() + 1_000));
    const done = await until(id, 'completion after the end', (b) => b.status === 'completed');
    expect(done).toMatchObject({ reasonCode: 'RESUMED_AFTER_RESTRICTION', reasonParams: { end: 'expired' }, counters: expect.objectContaining({ total: 24, failed: 0 }) });
    expectEachReachedOnce(sim, audience);
  });

  it('takes a pause on a refused send as the restriction WhatsApp announces after it, and resumes it when lifted', async () => {
    const { sim, channel } = await newNumber('WhatsApp (refused before the announcement)');
    const audience = phones(500_000, 20);
    const id = await draft(channel, 'Refused, then announced', audience, 4);
    await startAndSendSome(id, sim, audience);
    // WhatsApp refuses sends (368) before its announcement arrives: the first refusal pauses the broadcast.
    sim.restrictAccount();
    const refused = await until(id, 'the pause on a refused send', (b) => b.status === 'paused');
    expect(refused).toMatchObject({ reasonCode: 'PAUSED_ON_ERROR', reasonParams: { error: 'CHANNEL_RESTRICTED' } });

    const end = wholeSeconds(new Date(clock.now().getTime() + 6 * 60 * MINUTE));
    announce(sim, ['RESTRICTED_BIZ_INITIATED_MESSAGING'], end);
    await until(id, 'the pause taken as the restriction', (b) => b.status === 'paused' && b.reasonCode === 'PAUSED_RESTRICTED');

    sim.restrictAccount(false);
    announce(sim, [], end);
    const done = await until(id, 'completion after the lift', (b) => b.status === 'completed');
    expect(done).toMatchObject({ reasonCode: 'RESUMED_AFTER_RESTRICTION', reasonParams: { end: 'lifted' } });
    // The sends refused before the pause failed (retry failed reaches them); everyone else got it once.
    const failed = done.counters.failed as number;
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(done.counters.total).toBe(20);
    const counts = sentTo(sim, audience);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('keeps a broadcast paused, saying why, when its template was paused while the number was restricted', async () => {
    const { sim, channel } = await newNumber('WhatsApp (template paused meanwhile)');
    const audience = phones(400_000, 20);
    const id = await draft(channel, 'Template paused meanwhile', audience, 4);
    await startAndSendSome(id, sim, audience);
    const end = wholeSeconds(new Date(clock.now().getTime() + 6 * 60 * MINUTE));
    announce(sim, ['RESTRICTED_BIZ_INITIATED_MESSAGING'], end);
    await until(id, 'the pause on the restriction', (b) => b.status === 'paused');
    sim.setTemplateStatus('order_update', 'en_US', 'PAUSED', 'LOW_QUALITY');
    await eventually(async () => {
      const templates = (await env.api('GET', `/api/v1/channels/${channel}/templates`)).body.items as { name: string; status: string }[];
      return templates.some((t) => t.name === 'order_update' && t.status === 'PAUSED') || null;
    }, 60_000, 'the template paused');

    announce(sim, [], end);
    const kept = await until(id, 'the reason after the lift', (b) => b.reasonCode !== 'PAUSED_RESTRICTED');
    expect(kept).toMatchObject({ status: 'paused', reasonCode: 'TEMPLATE_NOT_APPROVED', reasonParams: { template: 'order_update', status: 'PAUSED' } });
    await runRestrictionJob();
    expect((await broadcast(id)).status).toBe('paused');
    expect(sentTo(sim, audience).size).toBeLessThan(audience.length);
  });
});

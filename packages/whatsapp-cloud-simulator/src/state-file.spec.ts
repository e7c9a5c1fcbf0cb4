import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWhatsAppSimulator, type WhatsAppSimulator } from './index.js';
import { manualClock, startWebhookReceiver, waitFor, type WebhookReceiver } from './test-support/webhook-receiver.js';

const TOKEN = 'state-token';
const CUSTOMER = '6281234567001';
const HOUR = 60 * 60 * 1_000;

describe('stateFile', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'obrol-wa-sim-'));
  const stateFile = path.join(dir, 'nested', 'simulator.json');
  const clock = manualClock();
  let receiver: WebhookReceiver;
  const running: WhatsAppSimulator[] = [];
  const start = async () => {
    const simulator = await startWhatsAppSimulator({ accessToken: TOKEN, webhookUrl: receiver.url, clock, stateFile, statusDelaysMs: { sent: 5, delivered: 5, read: 5 } });
    running.push(simulator);
    return simulator;
  };
  const send = (simulator: WhatsAppSimulator, body: Record<string, unknown>) =>
    fetch(`${simulator.url}/v25.0/${simulator.config.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', ...body }),
    });

  afterEach(async () => {
    for (const simulator of running.splice(0)) await simulator.close();
    await receiver?.close();
  });

  it('keeps customers, their window, their messages and the templates across a restart', async () => {
    receiver = await startWebhookReceiver();
    const first = await start();
    const wamid = first.customers.send(CUSTOMER, 'Halo', { name: 'Sari', timestamp: new Date(clock.now().getTime() - 23 * HOUR) });
    const templateIds = first.templates().map((template) => template.id);
    await first.close();

    const second = await start();
    expect(second.customers.get(CUSTOMER)).toMatchObject({ name: 'Sari', lastInboundAt: new Date(clock.now().getTime() - 23 * HOUR) });
    expect(second.conversationFrom(CUSTOMER).map((message) => message.id)).toEqual([wamid]);
    expect(second.templates().map((template) => template.id)).toEqual(templateIds);
    // The window the restarted simulator enforces is the one that was open before.
    const reply = await send(second, { to: CUSTOMER, type: 'text', text: { body: 'Siap, kami cek' } });
    expect(reply.status).toBe(200);
    await waitFor('the reply to be read', () => second.inbox(CUSTOMER)[0]?.status === 'read');
    expect((await send(second, { status: 'read', message_id: wamid, typing_indicator: { type: 'text' } })).status).toBe(200);
  });

  it('starts empty, with the default templates, when the file does not exist yet', async () => {
    rmSync(dir, { recursive: true, force: true });
    receiver = await startWebhookReceiver();
    const simulator = await start();
    expect(simulator.customers.list()).toEqual([]);
    expect(simulator.templates().map((template) => template.name)).toContain('hello_world');
  });
});

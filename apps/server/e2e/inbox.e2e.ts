import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.schema.js';
import { type RunningObrol, createLogger, runObrol } from '../src/server.js';
import { browserSuiteAvailable, launchChromium } from './chromium.js';
import { stripedPng } from './striped-png.js';

/** A folder to keep screenshots of the inbox in, for a person to look at; none when unset. */
const SCREENSHOTS = process.env.OBROL_TEST_SCREENSHOTS;
const available = browserSuiteAvailable();

/**
 * The agent's whole flow in the built inbox, in headless Chromium, against `obrol start` with
 * the demo WhatsApp channel on the simulator: log in, answer a customer inside the window, see
 * the ticks move, and send a template where the window has closed.
 */
describe.runIf(available)('agent inbox in Chromium', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-e2e-'));
  let obrol: RunningObrol;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const config = parseConfig({ OBROL_PORT: '0', OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_ADMIN_EMAIL: 'agent@example.test', OBROL_ADMIN_PASSWORD: 'agent-password-1', OBROL_LOG_LEVEL: 'warn' });
    obrol = await runObrol('all', config, { logger: createLogger('warn'), print: () => undefined });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await obrol?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in and lists the demo conversations with their windows', async () => {
    await page.goto(obrol.app.url);
    await page.getByTestId('login-email').fill('agent@example.test');
    await page.getByTestId('login-password').fill('agent-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-item').nth(1).waitFor();
    expect(await page.getByTestId('conversation-item').count()).toBe(2);
    const tryAsCustomer = page.getByTestId('demo-customer-link');
    await tryAsCustomer.waitFor();
    expect(await tryAsCustomer.getAttribute('href')).toBe(`http://${new URL(obrol.app.url).hostname}:${obrol.demo!.simulator.port}/`);
  });

  it('answers a customer inside the window and shows the ticks move', async () => {
    await page.getByTestId('conversation-item').filter({ hasText: 'Sari' }).click();
    await page.getByTestId('message').first().waitFor();
    await page.getByTestId('composer-input').fill('Baik kak, kami cek dulu ya');
    await page.getByTestId('composer-send').click();
    const reply = page.getByTestId('message').filter({ hasText: 'Baik kak, kami cek dulu ya' });
    await reply.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="message"]')].some((m) => m.textContent?.includes('kami cek') && ['delivered', 'read'].includes(m.getAttribute('data-status') ?? '')), undefined, { timeout: 15_000 });
    const inbox = obrol.demo!.simulator.inbox('+6281234567001');
    expect(inbox.map((m) => m.preview)).toContain('Baik kak, kami cek dulu ya');
    // Typing in the composer showed the customer "typing…" once.
    expect(obrol.demo!.simulator.typingIndicators.filter((t) => t.waId === '6281234567001')).toHaveLength(1);
  });

  it('offers a template where the window has closed, and sends it', async () => {
    await page.getByTestId('conversation-item').filter({ hasText: 'Budi' }).click();
    await page.getByTestId('window-closed').waitFor();
    expect(await page.getByTestId('composer-input').count()).toBe(0);
    await page.getByTestId('template-select').selectOption({ label: 'hello_world (en_US)' }).catch(async () => {
      // Labels may differ; fall back to picking by value.
      await page.getByTestId('template-select').selectOption({ index: 1 });
    });
    const inputs = page.getByTestId('template-variable');
    for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill(`value ${i + 1}`);
    await page.getByTestId('template-send').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length >= 2, undefined, { timeout: 15_000 });
    await expect.poll(() => obrol.demo!.simulator.inbox('+6281234567002').length, { timeout: 15_000 }).toBe(1);
  });

  it('shows each content type of a thread in its own bubble', async () => {
    const sari = '+6281234567001';
    obrol.demo!.simulator.customers.send(sari, { type: 'image', data: stripedPng(240, 150), mimeType: 'image/png', caption: 'Foto paketnya sudah sampai' });
    obrol.demo!.simulator.customers.send(sari, { type: 'location', latitude: -6.2088, longitude: 106.8456, name: 'Kantor Sari', address: 'Jl. Sudirman 1, Jakarta' });
    await page.getByTestId('conversation-item').filter({ hasText: 'Sari' }).click();
    await page.locator('[data-content-type="location"]').waitFor();

    // The agent asks with reply buttons (through the API, as a bot would) and sends a template from the picker.
    const conversationId = await page.getByTestId('thread').getAttribute('data-conversation-id');
    const login = await fetch(`${obrol.app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'agent@example.test', password: 'agent-password-1' }) });
    const { token } = (await login.json()) as { token: string };
    const interactive = { type: 'interactive', interactive: { kind: 'buttons', body: 'Paketnya sudah diterima dengan baik?', buttons: [{ id: 'ok', title: 'Sudah, aman' }, { id: 'rusak', title: 'Ada yang rusak' }] } };
    const sent = await fetch(`${obrol.app.url}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ content: interactive }) });
    expect(sent.status).toBe(202);
    await page.getByTestId('show-templates').click();
    await page.getByTestId('template-select').selectOption({ label: 'hello_world (en_US)' });
    const inputs = page.getByTestId('template-variable');
    for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill('Sari');
    await page.getByTestId('template-send').click();

    await page.locator('[data-content-type="template"]').waitFor();
    await page.locator('[data-content-type="image"] img').waitFor();
    expect(await page.locator('[data-content-type="image"]').textContent()).toContain('Foto paketnya sudah sampai');
    expect(await page.locator('[data-content-type="location"] a').getAttribute('href')).toContain('mlat=-6.2088');
    expect(await page.locator('[data-content-type="interactive"] .bubble__button').allTextContents()).toEqual(['Sudah, aman', 'Ada yang rusak']);
    // The image is fetched with the agent's token and shown from an object URL.
    expect(await page.locator('[data-content-type="image"] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'inbox-thread.png') });
  });

  it('says live when WhatsApp restricts the number from answering customers, holds the reply back, and lets go once it is lifted', async () => {
    const sim = obrol.demo!.simulator;
    await page.getByTestId('conversation-item').filter({ hasText: 'Sari' }).click();
    await page.getByTestId('composer-input').fill('Sebentar ya kak');
    sim.announceRestriction(['RESTRICTED_CUSTOMER_INITIATED_MESSAGING'], new Date(Date.now() + 3 * 60 * 60 * 1000));
    const notice = page.getByTestId('channel-restricted');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('WhatsApp Manager');
    expect(await page.getByTestId('composer-send').isDisabled()).toBe(true);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, 'inbox-restricted.png') });

    // WhatsApp lists the account's restrictions again, without this one: lifted.
    sim.announceRestriction([], new Date(Date.now() + 60 * 60 * 1000));
    await notice.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByTestId('composer-send').click();
    await expect.poll(() => sim.inbox('+6281234567001').map((m) => m.preview), { timeout: 15_000 }).toContain('Sebentar ya kak');
  });
});

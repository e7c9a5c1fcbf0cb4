import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.schema.js';
import { type RunningObrol, createLogger, runObrol } from '../src/server.js';
import { browserSuiteAvailable, launchChromium } from './chromium.js';

/** Screenshots for a person to look at: OBROL_TEST_SCREENSHOTS, else the gitignored e2e/artifacts. */
const SCREENSHOTS = process.env.OBROL_TEST_SCREENSHOTS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const available = browserSuiteAvailable();

const CUSTOMER = '+6281299990077';
/** More than two pages of the thread (30 a page) come after the message searched for. */
const NEWER = 70;
/** Customers who wrote before, for a list longer than three pages (50 a page). */
const OTHERS = 160;

/**
 * Search across every message (ADR 0022), against `obrol start` with the demo WhatsApp channel
 * on the simulator: an old message is found by a word in it, and choosing it opens the
 * conversation at that message, loading older pages until it is there, highlighted.
 */
describe.runIf(available)('message search in Chromium', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-e2e-search-'));
  let obrol: RunningObrol;
  let browser: Browser;
  let page: Page;
  let adminToken: string;

  const api = async (urlPath: string) => {
    const r = await fetch(`${obrol.app.url}${urlPath}`, { headers: { authorization: `Bearer ${adminToken}` } });
    return (await r.json()) as { items?: unknown[]; nextCursor?: string | null };
  };
  const shot = async (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `search-${name}.png`) });
  const search = async (text: string) => {
    await page.getByTestId('filter-search').fill(text);
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const config = parseConfig({ OBROL_PORT: '0', OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_ADMIN_EMAIL: 'admin@example.test', OBROL_ADMIN_PASSWORD: 'admin-password-1', OBROL_LOG_LEVEL: 'warn' });
    obrol = await runObrol('all', config, { logger: createLogger('warn'), print: () => undefined });
    const login = await fetch(`${obrol.app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.test', password: 'admin-password-1' }) });
    adminToken = ((await login.json()) as { token: string }).token;

    for (let i = 1; i <= OTHERS; i++) {
      const phone = `+6281377${String(i).padStart(5, '0')}`;
      obrol.demo!.simulator.customers.create(phone, `Pelanggan ${i}`);
      obrol.demo!.simulator.customers.send(phone, `Halo, saya pelanggan ${i}`);
    }
    obrol.demo!.simulator.customers.create(CUSTOMER, 'Sinta');
    obrol.demo!.simulator.customers.send(CUSTOMER, 'Halo kak, paket JNE123456 saya belum sampai sejak Senin');
    for (let i = 1; i <= NEWER; i++) obrol.demo!.simulator.customers.send(CUSTOMER, `Pesan susulan nomor ${i}`);
    const deadline = Date.now() + 30_000;
    const arrived = async () => (await api('/api/v1/search/messages?q=susulan&limit=100')).items?.length === NEWER && (await api('/api/v1/search/messages?q=pelanggan&limit=100')).nextCursor;
    while (!(await arrived())) {
      if (Date.now() > deadline) throw new Error('the customer messages did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(obrol.app.url);
    await page.getByTestId('login-email').fill('admin@example.test');
    await page.getByTestId('login-password').fill('admin-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-item').first().waitFor();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await obrol?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds an old message by a word in it and jumps to it, highlighted', async () => {
    await search('belum sampai');
    const hit = page.getByTestId('search-hit').filter({ hasText: 'JNE123456' });
    await hit.waitFor();
    expect(await hit.locator('mark').allTextContents()).toEqual(['belum', 'sampai']);
    await shot('hits');

    const messageId = await hit.getAttribute('data-message-id');
    await hit.click();
    const message = page.locator(`[data-testid="message"][data-message-id="${messageId}"]`);
    await message.waitFor({ timeout: 15_000 });
    await expect.poll(() => message.evaluate((el) => el.classList.contains('is-found'))).toBe(true);
    // In view: the thread scrolled to it rather than staying at the newest message.
    await expect.poll(() => message.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const view = el.closest('[data-testid="messages"]')!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    })).toBe(true);
    // Every page is loaded (the oldest message is shown), but only the rows in view are rendered.
    expect(await page.getByTestId('message').count()).toBeLessThan(40);
    await shot('jumped');
  });

  it('opens a long thread at its newest message, rendering only the rows in view', async () => {
    const id = await page.getByTestId('thread').getAttribute('data-conversation-id');
    await page.getByTestId('conversation-item').filter({ hasText: 'Sari Wulandari' }).click();
    await page.getByTestId('thread').and(page.locator(`:not([data-conversation-id="${id}"])`)).waitFor();
    await page.goto(`${obrol.app.url}/#/c/${id}`);
    const newest = page.getByTestId('message').filter({ hasText: `Pesan susulan nomor ${NEWER}` });
    await newest.waitFor();
    await expect.poll(() => newest.evaluate((el) => {
      const box = el.getBoundingClientRect();
      const view = el.closest('[data-testid="messages"]')!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    })).toBe(true);
    expect(await page.getByTestId('message').count()).toBeLessThan(40);
    await shot('long-thread');
  });

  it('renders only the conversations in view and loads older ones by cursor while scrolling', async () => {
    await search('');
    // A full pane of rows, out of more than 150 conversations.
    await expect.poll(() => page.getByTestId('conversation-item').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('conversation-item').count()).toBeLessThan(40);
    const oldest = page.getByTestId('conversation-item').getByText('Pelanggan 1', { exact: true });
    await expect.poll(async () => {
      await page.locator('.pane__list').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      return oldest.count();
    }, { timeout: 20_000 }).toBe(1);
    expect(await page.getByTestId('conversation-item').count()).toBeLessThan(40);
    await shot('long-list');
  });

  it('finds the conversation by the phone number in a local format, and says what is wrong with a query without words', async () => {
    await search('0812-9999-0077');
    await page.getByTestId('conversation-item').filter({ hasText: 'Sinta' }).waitFor();
    await search('!!!');
    await expect.poll(() => page.getByTestId('search-error').textContent()).toContain('letters or digits');
    await shot('bad-query');
  });
});

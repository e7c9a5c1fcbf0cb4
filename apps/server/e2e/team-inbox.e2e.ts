import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.schema.js';
import { type RunningObrol, createLogger, runObrol } from '../src/server.js';
import { browserSuiteAvailable, launchChromium } from './chromium.js';
import { stripedPng } from './striped-png.js';

/** Screenshots for a person to look at: OBROL_TEST_SCREENSHOTS, else the gitignored e2e/artifacts. */
const SCREENSHOTS = process.env.OBROL_TEST_SCREENSHOTS ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const available = browserSuiteAvailable();

const CUSTOMER = '+6281299990001';

/**
 * Two agents in two browser contexts, against `obrol start` with the demo WhatsApp channel on
 * the simulator: a customer writes and is auto-assigned to Ana (online); Bayu sees her typing;
 * she hands over with a note mentioning him; he is notified, replies and resolves.
 */
describe.runIf(available)('team inbox in Chromium, two agents', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-e2e-team-'));
  let obrol: RunningObrol;
  let browser: Browser;
  let ana: Page;
  let bayu: Page;
  let adminToken: string;

  const api = async (method: string, urlPath: string, body?: unknown) => {
    const r = await fetch(`${obrol.app.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, body: (await r.json()) as any };
  };
  const shot = async (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `team-${name}.png`) });
  const login = async (page: Page, email: string) => {
    await page.goto(obrol.app.url);
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill('team-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('conversation-item').first().waitFor();
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const config = parseConfig({ OBROL_PORT: '0', OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_ADMIN_EMAIL: 'admin@example.test', OBROL_ADMIN_PASSWORD: 'admin-password-1', OBROL_LOG_LEVEL: 'warn' });
    obrol = await runObrol('all', config, { logger: createLogger('warn'), print: () => undefined });
    const login = await fetch(`${obrol.app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.test', password: 'admin-password-1' }) });
    adminToken = ((await login.json()) as { token: string }).token;
    const inbox = obrol.demo!.channelAccountId;
    for (const [email, name] of [['ana@example.test', 'Ana'], ['bayu@example.test', 'Bayu']]) {
      expect((await api('POST', '/api/v1/agents', { email, name, password: 'team-password-1', inboxIds: [inbox] })).status).toBe(201);
    }
    expect((await api('PATCH', `/api/v1/channels/${inbox}`, { autoAssign: true, autoAssignLimit: 5 })).body).toMatchObject({ autoAssign: true });
    expect((await api('POST', '/api/v1/canned-responses', { shortcut: 'lacak', text: 'Halo {{contact.name}}, paket Anda sedang kami lacak.' })).status).toBe(201);
    browser = await launchChromium();
    ana = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const bayuContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Headless Chromium cannot show (or let a test answer) the browser's own permission prompt,
    // so Bayu's page gets a stand-in Notification that is already allowed and records what the
    // inbox asks it to show.
    await bayuContext.addInitScript(() => {
      const shown: { title: string; body?: string }[] = [];
      (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
      class RecordingNotification {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, options?: { body?: string }) {
          shown.push({ title, body: options?.body });
        }
        close() {}
      }
      (window as unknown as { Notification: unknown }).Notification = RecordingNotification;
    });
    bayu = await bayuContext.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await obrol?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a customer writes and is auto-assigned to the agent who is online', async () => {
    await login(ana, 'ana@example.test');
    await login(bayu, 'bayu@example.test');
    await ana.getByTestId('presence-select').selectOption('online');
    await expect.poll(async () => (await api('GET', '/api/v1/team')).body.items.find((a: { name: string }) => a.name === 'Ana')?.presence).toBe('online');

    obrol.demo!.simulator.customers.create(CUSTOMER, 'Dewi');
    obrol.demo!.simulator.customers.send(CUSTOMER, 'Halo, paket JNE123456 saya belum sampai');
    const row = ana.getByTestId('conversation-item').filter({ hasText: 'Dewi' });
    await row.filter({ hasText: 'Assigned to you' }).waitFor({ timeout: 15_000 });
    await bayu.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).filter({ hasText: 'Ana' }).waitFor();
    await shot(ana, '1-auto-assigned');
  });

  it('Bayu sees Ana viewing and typing in the same conversation', async () => {
    await bayu.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).click();
    await ana.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).click();
    await bayu.getByTestId('collision-viewing').filter({ hasText: 'Ana' }).waitFor();
    await ana.getByTestId('composer-input').pressSequentially('Sebentar ya kak', { delay: 20 });
    await bayu.getByTestId('collision-typing').filter({ hasText: 'Ana typing' }).waitFor();
    await shot(bayu, '2-sees-ana-typing');
  });

  it('Ana hands over to Bayu with a note mentioning him; he is notified', async () => {
    await ana.getByTestId('composer-input').fill('');
    await ana.getByTestId('mode-note').click();
    await ana.getByTestId('note-input').pressSequentially('@Ba');
    await ana.getByTestId('mention-option').filter({ hasText: 'Bayu' }).click();
    await ana.getByTestId('note-input').pressSequentially('tolong bantu, pelanggan VIP');
    await shot(ana, '3-note-with-mention');
    await ana.getByTestId('note-send').click();
    await ana.getByTestId('note').filter({ hasText: 'pelanggan VIP' }).waitFor();
    await ana.getByTestId('assignee-select').selectOption({ label: 'Bayu (away)' });

    const toast = bayu.getByTestId('mention-toast');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('Ana mentioned you');
    await bayu.getByTestId('note').filter({ hasText: '@Bayu tolong bantu, pelanggan VIP' }).waitFor();
    await expect.poll(() => bayu.getByTestId('assignee-select').inputValue()).not.toBe('');
    await shot(bayu, '4-mentioned-and-handed-over');
    await bayu.getByTestId('mention-open').click();
    // The note went to agents only, never to the customer.
    expect(obrol.demo!.simulator.inbox(CUSTOMER).map((m) => m.preview).join(' ')).not.toContain('VIP');
  });

  it('Bayu replies with an image (upload progress), a canned response, an emoji, and quotes the customer', async () => {
    await bayu.getByTestId('composer-file').setInputFiles({ name: 'resi-JNE123456.png', mimeType: 'image/png', buffer: Buffer.from(stripedPng(320, 200)) });
    await bayu.getByTestId('composer-attachment').waitFor();
    expect(await bayu.getByTestId('composer-attach').getAttribute('title')).toContain('Images up to 5 MB');
    await bayu.getByTestId('composer-input').fill('Ini resi pengirimannya');
    await shot(bayu, '5-image-attached');
    // The progress bar shows while the file goes up. The upload's answer is held until the bar
    // has been seen: 1.6 KB on localhost is up before a frame would show it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await bayu.route('**/api/v1/media?**', async (route) => {
      await held;
      await route.continue();
    });
    await bayu.getByTestId('composer-send').click();
    await bayu.getByTestId('upload-progress').waitFor();
    release();
    await bayu.locator('[data-content-type="image"]').filter({ hasText: 'Ini resi pengirimannya' }).waitFor({ timeout: 15_000 });
    await bayu.unroute('**/api/v1/media?**');
    await expect.poll(() => obrol.demo!.simulator.inbox(CUSTOMER).some((m) => m.type === 'image'), { timeout: 15_000 }).toBe(true);

    // Then a canned response, filled with the contact's name.
    await bayu.getByTestId('composer-input').fill('/lac');
    await bayu.getByTestId('canned-option').filter({ hasText: '/lacak' }).waitFor();
    await bayu.getByTestId('composer-input').press('Enter');
    expect(await bayu.getByTestId('composer-input').inputValue()).toBe('Halo Dewi, paket Anda sedang kami lacak.');
    await bayu.getByTestId('composer-send').click();
    await expect.poll(() => obrol.demo!.simulator.inbox(CUSTOMER).map((m) => m.preview), { timeout: 15_000 }).toContain('Halo Dewi, paket Anda sedang kami lacak.');

    await bayu.getByTestId('message').filter({ hasText: 'JNE123456 saya belum sampai' }).hover();
    await bayu.getByTestId('message').filter({ hasText: 'JNE123456 saya belum sampai' }).getByTestId('message-reply').click();
    await bayu.getByTestId('composer-replying').waitFor();
    await bayu.getByTestId('composer-input').fill('Baik kak Dewi, saya bantu cek paketnya ');
    await bayu.getByTestId('emoji-button').click();
    await bayu.locator('emoji-picker').waitFor();
    await bayu.locator('emoji-picker').locator('input#search').waitFor({ timeout: 10_000 });
    await shot(bayu, '6-emoji-picker');
    // The picker hides emoji the system cannot draw; on a machine without an emoji font it lists none.
    const emoji = bayu.locator('emoji-picker').locator('[role="menuitem"]');
    await emoji.first().waitFor({ timeout: 3_000 }).catch(() => undefined);
    if ((await emoji.count()) > 0) {
      await emoji.first().click();
      // The picker inserts on its emoji-click event, a moment after the click.
      await expect.poll(() => bayu.getByTestId('composer-input').inputValue(), { timeout: 5_000 }).toMatch(/paketnya \p{Extended_Pictographic}/u);
    } else {
      console.warn('no emoji font in this Chromium: the emoji picker opened but lists no emoji, so none was inserted');
      await bayu.keyboard.press('Escape');
    }
    await bayu.getByTestId('composer-send').click();
    await expect.poll(() => obrol.demo!.simulator.inbox(CUSTOMER).map((m) => m.preview).join('\n'), { timeout: 15_000 }).toContain('Baik kak Dewi, saya bantu cek paketnya');
    // Sent with the provider's context: WhatsApp shows it quoting the customer's message.
    const quoted = obrol.demo!.simulator.inbox(CUSTOMER).find((m) => m.preview.includes('saya bantu cek'));
    expect((quoted?.request.context as { message_id?: string } | undefined)?.message_id).toMatch(/^wamid\./);
    await bayu.getByTestId('message-quote').first().waitFor();
    await shot(bayu, '7-replied');
  });

  it('a customer writes elsewhere: the unread count and the tab title change for Bayu', async () => {
    const unreadOf = async () => Number(/^\((\d+)\)/.exec(await bayu.title())?.[1] ?? 0);
    const before = await unreadOf();
    const sari = bayu.getByTestId('conversation-item').filter({ hasText: 'Sari' });
    const badge = async () => Number((await sari.getByTestId('unread-badge').textContent().catch(() => '0')) ?? 0);
    const sariBefore = await badge();
    obrol.demo!.simulator.customers.send('+6281234567001', 'Kak, ada update?');
    await expect.poll(unreadOf, { timeout: 15_000 }).toBe(before + 1);
    expect(await badge()).toBe(sariBefore + 1);
    expect(await bayu.title()).toMatch(/^\(\d+\) Obrol Inbox$/);
  });

  it('Bayu gets a desktop notification for a customer writing in an unassigned conversation, and when given a conversation', async () => {
    const sari = (await api('GET', '/api/v1/conversations?q=6281234567001')).body.items[0];
    await api('PATCH', `/api/v1/conversations/${sari.id}`, { assigneeId: null });
    const shown = () => bayu.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);
    obrol.demo!.simulator.customers.send('+6281234567001', 'Paketnya sudah dikirim belum?');
    await expect.poll(async () => (await shown()).find((n) => n.body === 'Paketnya sudah dikirim belum?'), { timeout: 15_000 }).toEqual({ title: 'New message from Sari Wulandari', body: 'Paketnya sudah dikirim belum?' });
    // An admin gives him the conversation while he looks at another one: he is told.
    const bayuId = (await api('GET', '/api/v1/agents')).body.items.find((a: { name: string }) => a.name === 'Bayu').id;
    await api('PATCH', `/api/v1/conversations/${sari.id}`, { assigneeId: bayuId });
    await expect.poll(async () => (await shown()).some((n) => /(assigned you|Assigned to you:) Sari Wulandari$/.test(n.title)), { timeout: 15_000 }).toBe(true);
  });

  it('Bayu edits an attribute in the contact panel, tags the conversation (Ana sees it live) and filters the list by the tag', async () => {
    const panel = bayu.getByTestId('contact-panel');
    await panel.waitFor();
    expect(await panel.getByTestId('contact-phone').textContent()).toBe('+62 812 9999 0001');
    await panel.getByTestId('contact-attribute-key').fill('order');
    await panel.getByTestId('contact-attribute-new-value').fill('INV-1');
    await panel.getByTestId('contact-attribute-add').click();
    const order = panel.locator('[data-key="order"]').getByTestId('contact-attribute-value');
    await order.waitFor();
    await order.fill('INV-2041');
    await order.press('Enter');
    const dewi = (await api('GET', '/api/v1/conversations?q=Dewi')).body.items[0];
    await expect.poll(async () => (await api('GET', `/api/v1/contacts/${dewi.contact.id}`)).body.attributes).toEqual({ order: 'INV-2041' });

    await bayu.getByTestId('conversation-tags-input').fill('Paket Telat');
    await bayu.getByTestId('conversation-tags-input').press('Enter');
    await bayu.getByTestId('conversation-tags-chip').filter({ hasText: 'paket-telat' }).waitFor();
    await ana.getByTestId('conversation-tags-chip').filter({ hasText: 'paket-telat' }).waitFor();
    await shot(bayu, '8-contact-panel-and-tags');

    await bayu.getByTestId('filter-tag').selectOption('paket-telat');
    await expect.poll(() => bayu.getByTestId('conversation-item').count()).toBe(1);
    await bayu.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).waitFor();
    await shot(bayu, '9-filtered-by-tag');
    await bayu.getByTestId('filter-tag').selectOption('');
    await bayu.getByTestId('conversation-item').filter({ hasText: 'Sari' }).waitFor();

    // On a tablet the panel lies over the thread and closes with its toggle.
    await bayu.setViewportSize({ width: 900, height: 1100 });
    await shot(bayu, '10-tablet-contact-panel');
    await bayu.getByTestId('contact-toggle').click();
    await panel.waitFor({ state: 'detached' });
    await shot(bayu, '11-tablet-panel-closed');
    await bayu.getByTestId('contact-toggle').click();
    await bayu.setViewportSize({ width: 1280, height: 800 });
  });

  it('Bayu resolves, and the conversation leaves the default list', async () => {
    await bayu.getByTestId('resolve').click();
    await bayu.getByTestId('conversation-status').filter({ hasText: 'Resolved' }).waitFor();
    await expect.poll(() => bayu.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).count()).toBe(0);
    await bayu.getByTestId('filter-status').selectOption('resolved');
    await bayu.getByTestId('conversation-item').filter({ hasText: 'Dewi' }).getByTestId('status-badge').waitFor();
    await shot(bayu, '12-resolved');
  });

  it('Bayu turns the message sound off in My account; desktop notifications stay on', async () => {
    await bayu.getByTestId('current-agent').click();
    const form = bayu.getByTestId('notifications-form');
    await form.waitFor();
    expect(await bayu.getByTestId('notify-desktop').isChecked()).toBe(true);
    await bayu.getByTestId('notify-message-sound').uncheck();
    await bayu.getByTestId('notifications-submit').click();
    await form.getByRole('status').waitFor();
    await shot(bayu, '13-notification-settings');
    const agents = (await api('GET', '/api/v1/agents')).body.items as { name: string; notifications: Record<string, boolean> }[];
    expect(agents.find((a) => a.name === 'Bayu')?.notifications).toMatchObject({ desktop: true, messageSound: false });
  });
});

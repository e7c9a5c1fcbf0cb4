import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config.schema.js';
import { broadcastAppRoot } from '../src/inbox-app.js';
import { type RunningObrol, createLogger, runObrol } from '../src/server.js';
import { browserSuiteAvailable, launchChromium } from './chromium.js';

/** Screenshots of every screen, for a person to look at (gitignored); OBROL_TEST_SCREENSHOTS overrides. */
const SCREENSHOTS = process.env.OBROL_TEST_SCREENSHOTS ?? path.resolve(import.meta.dirname, '../../../artifacts/broadcast-e2e');
const available = browserSuiteAvailable({ ok: !!broadcastAppRoot(), what: 'the built broadcast app (pnpm build)' });
const ZONE = 'Asia/Tokyo';
/** A 240 × 120 checkered PNG, the header image a marketer uploads. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAPAAAAB4CAIAAABD1OhwAAABu0lEQVR42u3bMQ0AIAxFQTTgAWvIQAHuMISCLk1Y6CXsl/y+lTbOTL++V/pxuS/cZmiuoA3NFbQDcwXN5QqaK2hDcwVtaK6gHZgraC5X0FxBG5oraENzBc3lCprLFTRX0IbmCtrQXEFzuYLmcsOgjcX9yRU0V9CG5gragbmC5nIFzRW0obmCNjRX0A7MFTSXK2iuoA3NFbShuYJ2YK6guVxBcwVtaK6gDc0VNJcraC43DtpYXL++Dc0VtANzBc3lCporaENzBW1orqAdmCtoLlfQXEEbmitoQ3MFzeUKmssVNFfQhuYK2tBcQXO5guZyBc2tEbSxuH59G5oraAfmCprLFTRX0IbmCtrQXEE7MFfQXK6guYI2NFfQhuYKmssVNJcraK6gDc0VtKG5guZyBc3lCppbI2hjcf36NjRX0A7MFTSXK2iuoA3NFbShuYJ2YK6guVxBcwVtaK6gDc0VNJcraC5X0FxBG5oraENzBc3lCprLFTS3RtDG4vr1bWiuoB2YK2guV9BcQRuaK2hDcwXtwFxBc7mC5gra0FxBG5oraC5X0FyuoLmCNjRX0IbmCprLFTSXK2huCfcCORRWpqUOHT4AAAAASUVORK5CYII=', 'base64');

/** `YYYY-MM-DDTHH:mm:ss`, the wall clock of an instant in a zone. */
function wallClock(at: Date, zone: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/**
 * A marketer's whole broadcast in the built app, in headless Chromium, against `obrol start` with
 * the demo WhatsApp channel on the simulator, signed in as a marketer the admin created with the inbox.
 */
describe.runIf(available)('broadcast app in Chromium', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-bapp-e2e-'));
  let obrol: RunningObrol;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const config = parseConfig({
      OBROL_PORT: '0', OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_ADMIN_EMAIL: 'admin@example.test', OBROL_ADMIN_PASSWORD: 'admin-password-1', OBROL_LOG_LEVEL: 'warn',
      OBROL_BROADCAST_PRICES: '{"ID":{"MARKETING":0.0411,"UTILITY":0.02},"*":{"MARKETING":0.05,"UTILITY":0.03}}',
    });
    obrol = await runObrol('all', config, { logger: createLogger('warn'), print: () => undefined });
    const login = await fetch(`${obrol.app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.test', password: 'admin-password-1' }) });
    const adminToken = ((await login.json()) as { token: string }).token;
    const marketer = await fetch(`${obrol.app.url}/api/v1/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ email: 'marketer@example.test', name: 'Maya Marketer', role: 'marketer', password: 'marketer-password-1', inboxIds: [obrol.demo!.channelAccountId] }),
    });
    expect(marketer.status, await marketer.clone().text()).toBe(201);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true, timezoneId: 'Asia/Jakarta' });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await obrol?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in to the inbox as a marketer: Broadcasts is there, the admin area is not', async () => {
    await page.goto(obrol.app.url);
    await page.getByTestId('login-email').fill('marketer@example.test');
    await page.getByTestId('login-password').fill('marketer-password-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-broadcasts').waitFor();
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    await shot('0-marketer-inbox');
    // Typed by hand, an admin page falls back to the marketer's own account page.
    await page.goto(`${obrol.app.url}/#/settings/channels`);
    await page.getByTestId('account-page').waitFor();
    expect(page.url()).toMatch(/#\/settings\/account$/);
    expect(await page.getByTestId('nav-admin-channels').count()).toBe(0);
    await shot('0-marketer-no-admin');
    const token = await page.evaluate(() => sessionStorage.getItem('obrol.token'));
    expect((await fetch(`${obrol.app.url}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
  });

  it('opens Broadcasts from the inbox and explains the empty list', async () => {
    await page.goto(obrol.app.url);
    await page.getByTestId('nav-broadcasts').click();
    await page.waitForURL(/\/broadcasts\//);
    await page.getByTestId('list-empty').waitFor();
    await shot('1-list-empty');
  });

  it('creates a broadcast from a CSV with a bad row: the error is shown, the other rows go ahead', async () => {
    await page.getByTestId('list-create').click();
    await page.getByTestId('broadcast-name').fill('December order update');
    await page.getByTestId('template-order_update').first().locator('input').check();
    await page.getByTestId('template-preview').waitFor();
    await shot('2-wizard-template');
    await page.getByTestId('wizard-next').click();

    const csv = ['nomor,nama,pesanan,status', '081234560001,Sari,#1001,dikirim', '081234560002,Budi,#1002,dikemas', 'not-a-phone,Rina,#1003,dikirim', '081234560004,Dewi,#1004,tiba', '081234560005,Agus,#1005,dikirim', '081234560006,Tono,#1006,dikemas', '081234560007,Wati,#1007,tiba', '081234560008,Joko,#1008,dikirim'].join('\n');
    await page.getByTestId('audience-file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('audience-first-rows').waitFor();
    await page.getByTestId('audience-phone-column').selectOption('nomor');
    await page.getByTestId('audience-upload').click();
    const errors = page.getByTestId('audience-errors');
    await errors.waitFor();
    expect(await errors.textContent()).toContain('not-a-phone');
    await shot('3-wizard-audience-row-error');
    const download = page.waitForEvent('download');
    await page.getByTestId('audience-download-errors').click();
    const problems = readFileSync(await (await download).path(), 'utf8');
    expect(problems.split(/\r?\n/)[1]).toMatch(/^4,not-a-phone,/);
    await page.getByTestId('audience-skip-bad').click();
    await page.getByTestId('audience-imported').waitFor();
    expect(await page.getByTestId('audience-imported').textContent()).toContain('7 of 8');
    await page.getByTestId('audience-counts').waitFor();
    expect(await page.getByTestId('audience-counts').textContent()).toContain('7');
    await shot('4-wizard-audience-imported');
    await page.getByTestId('wizard-next').click();
  });

  it('maps the variables to columns and previews each recipient', async () => {
    const slot = (n: number) => page.getByTestId(`slot-body:${n}`);
    await slot(1).getByTestId('slot-column').selectOption('nama');
    await slot(2).getByTestId('slot-column').selectOption('pesanan');
    await slot(3).getByTestId('slot-column').selectOption('status');
    const preview = page.getByTestId('variables-preview');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toBe('Hi Sari, your order #1001 is now dikirim.');
    await shot('5-wizard-variables');
    await page.getByTestId('preview-next').click();
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toBe('Hi Budi, your order #1002 is now dikemas.');
    await page.getByTestId('wizard-next').click();
  });

  it(`schedules it a few seconds ahead in ${ZONE} (not the browser's zone) and sees it start`, async () => {
    await page.getByTestId('schedule-later').check();
    await page.getByTestId('schedule-zone').selectOption(ZONE);
    // A short schedule keeps the suite quick; the time is typed as Tokyo's wall clock, 25 s ahead.
    const startAt = new Date(Date.now() + 25_000);
    await page.getByTestId('schedule-at').fill(wallClock(startAt, ZONE));
    await page.getByTestId('schedule-rate').fill('1');
    await page.getByTestId('schedule-local').waitFor();
    expect(await page.getByTestId('schedule-local').textContent()).toContain('Asia/Jakarta');
    await shot('6-wizard-schedule');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('review-estimate').waitFor();
    expect(await page.getByTestId('review-ready').textContent()).toBe('7');
    await shot('7-wizard-review');
    await page.getByTestId('review-start').click();
    await page.getByTestId('review-confirm').waitFor();
    await page.getByTestId('review-confirm-yes').click();
    await page.getByTestId('live-scheduled').waitFor();
    expect(await page.getByTestId('live-scheduled').textContent()).toContain(ZONE);
    await shot('8-live-scheduled');
    await expect.poll(() => page.getByTestId('live-status').getAttribute('class'), { timeout: 60_000 }).toContain('badge--running');
    expect(Date.now()).toBeGreaterThanOrEqual(startAt.getTime() - 1000);
  }, 90_000);

  it('pauses and resumes, then reaches 100 % with the funnel filling as the simulator delivers and reads', async () => {
    await page.getByTestId('live-pause').click();
    await expect.poll(() => page.getByTestId('live-status').getAttribute('class')).toContain('badge--paused');
    await shot('9-live-paused');
    await page.getByTestId('live-resume').click();
    await expect.poll(() => page.getByTestId('live-status').getAttribute('class')).toMatch(/badge--(running|completed)/);
    await expect.poll(() => page.getByTestId('live-progress').textContent(), { timeout: 60_000 }).toContain('(100%)');
    await shot('10-live-done');
    await expect.poll(() => page.getByTestId('funnel-read').textContent(), { timeout: 30_000 }).toBe('7');
    expect(await page.getByTestId('funnel-delivered').textContent()).toBe('7');
    expect(await page.getByTestId('funnel-failed').textContent()).toBe('0');
    expect(obrol.demo!.simulator.inbox('+6281234560004').map((m) => m.preview).join()).toContain('#1004');
  }, 90_000);

  it('exports the recipients as CSV', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('live-export').click();
    const lines = readFileSync(await (await download).path(), 'utf8').trim().split(/\r?\n/);
    expect(lines).toHaveLength(8);
    expect(lines.slice(1).every((l) => l.includes(',read'))).toBe(true);
    expect(lines.some((l) => l.startsWith('+6281234560008'))).toBe(true);
  });

  it('counts a customer\'s reply to the broadcast on its live page', async () => {
    const sim = obrol.demo!.simulator;
    const replies = page.getByTestId('live-replies');
    expect(await replies.textContent()).toBe('Replies received: 0');
    sim.customers.send('+6281234560001', 'Terima kasih, sudah sampai!', { replyTo: sim.inbox('+6281234560001')[0]!.id });
    await expect.poll(() => replies.textContent(), { timeout: 30_000 }).toBe('Replies received: 1');
    await shot('10b-live-reply');
  });

  it('lists the broadcast with its progress, and speaks Indonesian', async () => {
    await page.getByRole('link', { name: '← All broadcasts' }).click();
    await page.getByTestId('list-table').waitFor();
    await expect.poll(() => page.getByTestId('list-table').textContent(), { timeout: 10_000 }).toContain('December order update');
    await page.getByTestId('language-select').selectOption('id');
    expect(await page.getByTestId('list-table').textContent()).toContain('Selesai');
    await shot('11-list-id');
  });

  it('in Indonesian: explains a bad CSV row, takes a header image by upload and previews it', async () => {
    await page.getByTestId('list-create').click();
    await page.getByTestId('broadcast-name').fill('Pengingat janji');
    await page.getByTestId('template-appointment_reminder').first().locator('input').check();
    await page.getByTestId('wizard-next').click();

    const csv = ['phone,nama', '081234560101,Ayu', 'nomor-salah,Bayu', '081234560103,Citra'].join('\n');
    await page.getByTestId('audience-file').setInputFiles({ name: 'janji.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('audience-first-rows').waitFor();
    await page.getByTestId('audience-upload').click();
    await page.getByTestId('audience-errors').waitFor();
    expect(await page.getByTestId('audience-error-reason').first().textContent()).toBe('“nomor-salah” bukan nomor telepon yang valid.');
    await shot('12-wizard-audience-row-error-id');
    const download = page.waitForEvent('download');
    await page.getByTestId('audience-download-errors').click();
    const problems = readFileSync(await (await download).path(), 'utf8').split(/\r?\n/);
    expect(problems[0]).toBe('Baris,Nilai,Masalah');
    expect(problems[1]).toBe('3,nomor-salah,“nomor-salah” bukan nomor telepon yang valid.');
    await page.getByTestId('audience-skip-bad').click();
    await page.getByTestId('audience-imported').waitFor();
    await page.getByTestId('wizard-next').click();

    const header = page.getByTestId('slot-header:image');
    expect(await header.locator('legend').textContent()).toBe('Bagian kepala pesan (Gambar)');
    await header.getByTestId('slot-from').selectOption('upload');
    // A file of another kind is refused before it is sent.
    await header.getByTestId('header-file').setInputFiles({ name: 'katalog.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4') });
    expect(await header.getByTestId('header-error').textContent()).toMatch(/^File ini bukan Gambar yang diterima WhatsApp/);
    await header.getByTestId('header-file').setInputFiles({ name: 'promo.png', mimeType: 'image/png', buffer: PNG });
    await header.getByTestId('header-filename').waitFor();
    await page.getByTestId('slot-body:first_name').getByTestId('slot-column').selectOption('nama');
    for (const [slot, value] of [['appointment_date', '3 Desember'], ['location', 'Jakarta']]) {
      await page.getByTestId(`slot-body:${slot}`).getByTestId('slot-from').selectOption('constant');
      await page.getByTestId(`slot-body:${slot}`).getByTestId('slot-constant').fill(value!);
    }
    const preview = page.getByTestId('variables-preview');
    await expect.poll(() => preview.textContent(), { timeout: 10_000 }).toMatch(/^Hi Ayu, this is a reminder of your appointment on 3 Desember at Jakarta\.\s*Reply to confirm$/);
    const image = page.getByTestId('preview-header-image');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
    await shot('13-wizard-variables-header-image');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('schedule-now').check();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('review-estimate').waitFor();
    await page.getByTestId('review-start').click();
    await page.getByTestId('review-confirm-yes').click();
    await expect.poll(() => page.getByTestId('live-progress').textContent(), { timeout: 60_000 }).toContain('(100%)');
    const sent = obrol.demo!.simulator.inbox('+6281234560103').at(-1)!;
    const components = (sent.request as { template: { components: { type: string; parameters: { image?: { id?: string } }[] }[] } }).template.components;
    expect(obrol.demo!.simulator.media(components.find((c) => c.type === 'header')!.parameters[0]!.image!.id!)).toBeTruthy();
    await expect.poll(() => page.getByTestId('live-status').getAttribute('class'), { timeout: 30_000 }).toContain('badge--completed');
    await expect.poll(async () => (await page.getByTestId('live-recipient').allTextContents()).filter((row) => /Terkirim|Diterima|Dibaca/.test(row)).length, { timeout: 30_000 }).toBe(2);
    // The live page shows the header sent to everyone.
    const liveHeader = page.getByTestId('live-header-image');
    await liveHeader.waitFor();
    await expect.poll(() => liveHeader.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(240);
    expect(await page.getByTestId('live-header').textContent()).toContain('promo.png');
    await shot('14-live-header-image-id');
  }, 120_000);

  it('groups the failures of a broadcast by WhatsApp\'s error code on its live page', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('obrol.token'));
    const api = async (method: string, path: string, body?: unknown, type = 'application/json') => {
      const r = await fetch(`${obrol.app.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return (await r.json()) as { id: string };
    };
    // "hello_world" has no blank: WhatsApp refuses each message that fills one (132000).
    const created = await api('POST', '/broadcasts', { channelAccountId: obrol.demo!.channelAccountId, name: 'Salah isi', template: { name: 'hello_world', language: 'en_US' }, variables: { body: [{ source: { from: 'constant', value: 'lebih' } }] } });
    await api('POST', `/broadcasts/${created.id}/audience`, ['phone', '081234560201', '081234560202', '081234560203'].join('\n'), 'text/csv');
    await api('POST', `/broadcasts/${created.id}/start`, {});
    await page.goto(`${obrol.app.url}/broadcasts/#/b/${created.id}`);
    const failure = page.getByTestId('live-failure');
    await expect.poll(() => failure.count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('live-failure-count').textContent(), { timeout: 30_000 }).toBe('3');
    expect(await failure.locator('code').textContent()).toBe('132000');
    // In the reader's language by Obrol's code, with WhatsApp's own sentence beside it.
    expect(await failure.getByTestId('live-failure-headline').textContent()).toBe('Ada nilai template yang kosong atau salah.');
    expect(await failure.getByTestId('live-failure-detail').textContent()).toMatch(/parameters/i);
    // The table below follows within seconds, without a reload.
    await expect.poll(async () => (await page.getByTestId('live-recipient').allTextContents()).filter((row) => row.includes('Gagal')).length, { timeout: 30_000 }).toBe(3);
    // Each failed recipient's reason is worded by its group's code as well, WhatsApp's sentence on hover.
    const reason = page.getByTestId('live-recipient-reason').first();
    await expect.poll(() => reason.textContent(), { timeout: 10_000 }).toBe('Ada nilai template yang kosong atau salah.');
    expect(await reason.getAttribute('title')).toMatch(/parameters/i);
    await shot('15-live-failures-id');
  }, 90_000);
});

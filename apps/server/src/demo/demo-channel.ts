import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ChannelsService, type ObrolApp, TenantsService, TemplatesService, systemPrincipal } from '@obrol/core';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import type { Logger } from 'pino';

export const DEMO_CHANNEL_NAME = 'Demo WhatsApp (simulator)';
const HOUR = 60 * 60 * 1000;

export interface DemoChannel {
  simulator: WhatsAppSimulator;
  channelAccountId: string;
  /** The simulator's customer page, at OBROL_PUBLIC_URL's host. */
  customerPageUrl: string;
  close(): Promise<void>;
}

/**
 * With no real channel connected, connects a demo WhatsApp number served by the embedded
 * Cloud API simulator, so a new user sees the whole flow without a Meta account: customers
 * write (on the simulator's page), agents answer, windows close, templates are required.
 * Returns null when a real channel exists.
 */
export async function connectDemoChannel(
  obrol: ObrolApp,
  options: { obrolUrl: string; publicUrl: string; host: string; simulatorPort?: number; dataDir: string; logger: Logger },
): Promise<DemoChannel | null> {
  const channels = obrol.app.get(ChannelsService);
  const tenants = obrol.app.get(TenantsService);
  const templates = obrol.app.get(TemplatesService);
  const tenant = await tenants.ensureDefault();
  const system = systemPrincipal(tenant);
  const accounts = await channels.list(system);
  if (accounts.some((a) => a.name !== DEMO_CHANNEL_NAME)) return null;

  const appSecret = randomBytes(16).toString('hex');
  const accessToken = `demo-${randomBytes(16).toString('hex')}`;
  const verifyToken = randomBytes(8).toString('hex');
  const simulator = await startWhatsAppSimulator({
    port: options.simulatorPort ?? 0,
    // On Obrol's interface, so a colleague can play a customer from another machine.
    host: options.host,
    // Customers, their windows and the templates survive a restart, so the inbox and the simulator agree.
    stateFile: path.join(options.dataDir, 'demo-simulator.json'),
    appSecret,
    accessToken,
    verifiedName: 'Obrol Demo Store',
    statusDelaysMs: { sent: 300, delivered: 1200, read: 4000 },
    templateReview: { mode: 'approve', delayMs: 5000 },
  });
  const config = {
    phoneNumberId: simulator.config.phoneNumberId,
    wabaId: simulator.config.wabaId,
    accessToken,
    appSecret,
    verifyToken,
    graphApiBaseUrl: simulator.url,
  };
  const existing = accounts.find((a) => a.name === DEMO_CHANNEL_NAME);
  // Credentials are new each start; the simulator's state file keeps everything else.
  const account = existing ? await channels.update(system, existing.id, { config }) : await channels.create(system, { plugin: 'whatsapp', name: DEMO_CHANNEL_NAME, config });
  await templates.sync(account.id);
  simulator.setWebhookUrl(`${options.obrolUrl}/webhooks/whatsapp/${account.id}`);

  if (!existing) {
    // Two customers: one inside the 24-hour window, one whose window closed an hour ago.
    simulator.customers.send('+6281234567001', 'Halo, pesanan saya #1042 belum sampai. Bisa dicek?', { name: 'Sari Wulandari' });
    simulator.customers.send('+6281234567002', 'Is the blue jacket still in stock in size M?', {
      name: 'Budi Santoso',
      timestamp: new Date(Date.now() - 25 * HOUR),
    });
  }
  const customerPage = new URL(options.publicUrl);
  customerPage.port = String(simulator.port);
  customerPage.pathname = '/';
  options.logger.info({ simulator: simulator.url, channelAccountId: account.id }, 'demo channel connected to the WhatsApp simulator');
  return { simulator, channelAccountId: account.id, customerPageUrl: customerPage.toString(), close: () => simulator.close() };
}

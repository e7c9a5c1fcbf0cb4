import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelContext, WebhookRequest } from '@obrol/contracts';
import { signWhatsAppPayload } from '../webhook-signature.js';
import { whatsAppConfigSchema, type WhatsAppConfig } from '../whatsapp-config.schema.js';

/** The ids of Meta's own examples (fixtures use them). */
export const PHONE_NUMBER_ID = '106540352242922';
export const WABA_ID = '102290129340398';
export const APP_SECRET = '0123456789abcdef0123456789abcdef';

export const testConfig: WhatsAppConfig = whatsAppConfigSchema.parse({
  phoneNumberId: PHONE_NUMBER_ID,
  wabaId: WABA_ID,
  accessToken: 'EAAtest-access-token',
  appSecret: APP_SECRET,
  verifyToken: 'vibecoding',
  graphApiBaseUrl: 'https://graph.test',
});

export const NOW = new Date('2026-09-01T12:00:00Z');

export function testContext(config: Partial<WhatsAppConfig> = {}): ChannelContext<WhatsAppConfig> {
  return { channelAccountId: 'acc_1', tenantId: 'tenant_1', config: { ...testConfig, ...config }, clock: { now: () => NOW } };
}

/** A POST webhook request signed like Meta signs it (over exactly these bytes). */
export function signedWebhook(body: string | Buffer | object, secret = APP_SECRET): WebhookRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(rawBody, secret) },
    query: {},
    rawBody,
  };
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'meta');

/** Names of the real Meta sample payloads copied from the shared fixtures. */
export function metaFixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
}

/** A fixture's raw bytes, as Meta would POST them. */
export function metaFixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

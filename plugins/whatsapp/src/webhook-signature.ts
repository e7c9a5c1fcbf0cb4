import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/**
 * The `X-Hub-Signature-256` value Meta sends for a body: `sha256=` and the lower-case hex
 * HMAC-SHA256 of the exact bytes, keyed with the app secret. The simulator and tests sign with it.
 */
export function signWhatsAppPayload(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * Whether `header` is a valid signature of `rawBody`. Compares in constant time, on the raw
 * bytes as received (re-serialised JSON would not match Meta's escaping).
 */
export function isValidWhatsAppSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header || !header.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length).trim();
  if (!HEX_DIGEST.test(hex)) return false;
  const received = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The headers of a delivery. */
export const SIGNATURE_HEADER = 'Obrol-Signature';
export const EVENT_ID_HEADER = 'Obrol-Event-Id';
export const EVENT_TYPE_HEADER = 'Obrol-Event-Type';

/** How far a receiver should accept a signature's timestamp from its own clock (replay protection). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** A new signing secret: `whsec_` and 32 random bytes. The whole string is the HMAC key. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, in the style of Stripe. */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/**
 * What a receiver does (and the docs show): parse the header, recompute the HMAC over the raw
 * body, compare in constant time, and refuse a timestamp outside the tolerance. Any `v1` may
 * match (a header may carry several).
 */
export function verifySignature(header: string, body: string, secret: string, now: Date, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): boolean {
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(Buffer.from(v, 'hex'), expected);
  });
}

import { randomBytes, randomInt } from 'node:crypto';

/**
 * Ids shaped like Meta's. A wamid is base64 of a small protobuf-like record holding the
 * customer's number and a random hex key, like `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRB…`.
 */
export function newWamid(customerWaId: string, direction: 'inbound' | 'outbound'): string {
  const phone = Buffer.from(customerWaId, 'ascii');
  const keyLength = direction === 'inbound' ? 20 : 18;
  const key = Buffer.from(randomBytes(keyLength).toString('hex').slice(0, keyLength).toUpperCase(), 'ascii');
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, phone.length]),
    phone,
    Buffer.from([0x15, 0x02, 0x00, direction === 'inbound' ? 0x12 : 0x11, 0x18, key.length]),
    key,
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** A 16-digit numeric id, as Meta uses for media and templates; below 2^53 so it survives JSON numbers. */
export function newNumericId(): string {
  return `${randomInt(1, 9)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/** Digits only, as Meta reports `wa_id`, `from` and `recipient_id`. */
export function toWaId(phone: string): string {
  return phone.replace(/\D/g, '');
}

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidWhatsAppSignature, signWhatsAppPayload } from './webhook-signature.js';
import { createWhatsAppChannel } from './whatsapp.channel.js';
import { APP_SECRET, signedWebhook, testContext } from './test-support/whatsapp-test.context.js';

// Meta escapes non-ASCII as \uXXXX and signs those bytes; re-serialising changes them.
const RAW = Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"text":"\\u00e4\\u00f6\\u00e5"},"field":"messages"}]}]}');

describe('signWhatsAppPayload', () => {
  it('is sha256= and the lower-case hex HMAC-SHA256 of the raw bytes', () => {
    const expected = createHmac('sha256', APP_SECRET).update(RAW).digest('hex');
    expect(signWhatsAppPayload(RAW, APP_SECRET)).toBe(`sha256=${expected}`);
    expect(signWhatsAppPayload(RAW.toString('utf8'), APP_SECRET)).toBe(`sha256=${expected}`);
  });
});

describe('isValidWhatsAppSignature', () => {
  const good = signWhatsAppPayload(RAW, APP_SECRET);

  it('accepts a valid signature', () => {
    expect(isValidWhatsAppSignature(RAW, good, APP_SECRET)).toBe(true);
  });
  it('accepts upper-case hex', () => {
    expect(isValidWhatsAppSignature(RAW, `sha256=${good.slice(7).toUpperCase()}`, APP_SECRET)).toBe(true);
  });
  it('rejects a forged signature (other secret)', () => {
    expect(isValidWhatsAppSignature(RAW, signWhatsAppPayload(RAW, 'another-secret'), APP_SECRET)).toBe(false);
  });
  it('rejects a signature with one digit changed', () => {
    const last = good.at(-1) === '0' ? '1' : '0';
    expect(isValidWhatsAppSignature(RAW, good.slice(0, -1) + last, APP_SECRET)).toBe(false);
  });
  it('rejects a missing header', () => {
    expect(isValidWhatsAppSignature(RAW, undefined, APP_SECRET)).toBe(false);
    expect(isValidWhatsAppSignature(RAW, '', APP_SECRET)).toBe(false);
  });
  it('rejects a wrong prefix (sha1=, no prefix)', () => {
    expect(isValidWhatsAppSignature(RAW, good.replace('sha256=', 'sha1='), APP_SECRET)).toBe(false);
    expect(isValidWhatsAppSignature(RAW, good.slice(7), APP_SECRET)).toBe(false);
  });
  it('rejects a digest of a different length without throwing', () => {
    expect(isValidWhatsAppSignature(RAW, good.slice(0, -2), APP_SECRET)).toBe(false);
    expect(isValidWhatsAppSignature(RAW, `${good}00`, APP_SECRET)).toBe(false);
    expect(isValidWhatsAppSignature(RAW, 'sha256=zz', APP_SECRET)).toBe(false);
  });
  it('rejects the same JSON re-serialised (signature is over the raw bytes)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(RAW.toString('utf8'))));
    expect(reserialised.equals(RAW)).toBe(false);
    expect(isValidWhatsAppSignature(reserialised, good, APP_SECRET)).toBe(false);
  });
});

describe('parseWebhook checks the signature first', () => {
  const channel = createWhatsAppChannel({ fetch: () => Promise.reject(new Error('no network in this test')) });

  it('refuses a forged delivery with WEBHOOK_SIGNATURE_INVALID and parses nothing', () => {
    const req = signedWebhook(RAW, 'not-the-app-secret');
    const result = channel.parseWebhook(req, testContext());
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID', retryable: false }) });
  });
  it('refuses a delivery without the header', () => {
    const req = signedWebhook(RAW);
    delete req.headers['x-hub-signature-256'];
    expect(channel.parseWebhook(req, testContext())).toMatchObject({ ok: false, error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
  });
  it('checks the signature before the JSON: a forged non-JSON body is a signature error', () => {
    const req = signedWebhook('not json', 'wrong');
    expect(channel.parseWebhook(req, testContext())).toMatchObject({ ok: false, error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
  });
  it('reports a correctly signed non-JSON body as WEBHOOK_PAYLOAD_INVALID', () => {
    expect(channel.parseWebhook(signedWebhook('{not json'), testContext())).toMatchObject({ ok: false, error: { code: 'WEBHOOK_PAYLOAD_INVALID' } });
  });
  it('reports signed JSON without entry[] as WEBHOOK_PAYLOAD_INVALID', () => {
    expect(channel.parseWebhook(signedWebhook({ hello: 'world' }), testContext())).toMatchObject({ ok: false, error: { code: 'WEBHOOK_PAYLOAD_INVALID' } });
  });
});

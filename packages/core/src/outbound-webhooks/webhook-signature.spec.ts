import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newSigningSecret, signatureHeader, verifySignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"evt_1","type":"message.received","data":{}}';
  const at = new Date('2026-11-29T10:00:00.000Z');

  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"> under the secret', () => {
    const t = 1795946400;
    expect(at.getTime() / 1000).toBe(t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signatureHeader(secret, body, at)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies with the same secret and body within five minutes', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(header, body, secret, at)).toBe(true);
    expect(verifySignature(header, body, secret, new Date(at.getTime() + 299_000))).toBe(true);
    expect(verifySignature(header, body, secret, new Date(at.getTime() - 299_000))).toBe(true);
  });

  it('refuses another body, another secret, a stale or future timestamp and garbage', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(header, body.replace('evt_1', 'evt_2'), secret, at)).toBe(false);
    expect(verifySignature(header, body, 'whsec_other', at)).toBe(false);
    expect(verifySignature(header, body, secret, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature(header, body, secret, new Date(at.getTime() - 301_000))).toBe(false);
    expect(verifySignature('t=abc,v1=00', body, secret, at)).toBe(false);
    expect(verifySignature('', body, secret, at)).toBe(false);
    // The timestamp is signed: moving it breaks the signature.
    const [, v1] = header.split(',');
    expect(verifySignature(`t=${at.getTime() / 1000 + 60},${v1}`, body, secret, at)).toBe(false);
  });

  it('accepts any matching v1 among several', () => {
    const header = signatureHeader(secret, body, at);
    const [t, v1] = header.split(',');
    expect(verifySignature(`${t},v1=${'0'.repeat(64)},${v1}`, body, secret, at)).toBe(true);
  });

  it('makes a different secret every time', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(a);
  });
});

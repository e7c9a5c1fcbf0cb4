import { describe, expect, it } from 'vitest';
import { SecretBox, isSealed } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-secret-key-of-enough-length-0123456789');

  it('seals only the named fields and opens them again', () => {
    const sealed = box.sealFields({ phoneNumberId: '123', accessToken: 'EAAG-token', appSecret: 'app' }, ['accessToken', 'appSecret']);
    expect(sealed.phoneNumberId).toBe('123');
    expect(isSealed(sealed.accessToken)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain('EAAG-token');
    expect(box.openFields(sealed)).toEqual({ phoneNumberId: '123', accessToken: 'EAAG-token', appSecret: 'app' });
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same').$enc).not.toBe(box.seal('same').$enc);
  });

  it('refuses a value sealed under another key or tampered with', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox('another-key-of-enough-length-9876543210').open(sealed)).toThrow();
    const parts = sealed.$enc.split('.');
    parts[3] = Buffer.from('evil').toString('base64url');
    expect(() => box.open({ $enc: parts.join('.') })).toThrow();
  });

  it('refuses a short key', () => {
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
  });
});

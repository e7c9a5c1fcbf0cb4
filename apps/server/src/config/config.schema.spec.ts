import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.schema.js';

describe('OBROL_TRUSTED_PROXIES', () => {
  it('trusts no proxy by default', () => {
    expect(parseConfig({}).trustedProxies).toEqual([]);
  });

  it('takes a comma-separated list of addresses and CIDR blocks', () => {
    expect(parseConfig({ OBROL_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => parseConfig({ OBROL_TRUSTED_PROXIES: 'true' })).toThrow(/OBROL_TRUSTED_PROXIES/);
    expect(() => parseConfig({ OBROL_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/OBROL_TRUSTED_PROXIES/);
  });
});

describe('OBROL_ADMIN_PASSWORD', () => {
  it('refuses a common or trivial password, naming the variable', () => {
    expect(() => parseConfig({ OBROL_ADMIN_PASSWORD: 'aaaaaaaaaa' })).toThrow(/OBROL_ADMIN_PASSWORD: The password is too easy to guess/);
    expect(parseConfig({ OBROL_ADMIN_PASSWORD: 'lantern-mango-orbit-7' }).adminPassword).toBe('lantern-mango-orbit-7');
  });
});

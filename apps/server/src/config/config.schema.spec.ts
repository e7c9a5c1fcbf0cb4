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

describe('outbound webhook settings', () => {
  it('refuse private addresses and wait 10 s for 8 deliveries at once by default', () => {
    expect(parseConfig({}).outboundWebhooks).toEqual({ allowPrivateAddresses: false, requestTimeoutMs: 10_000, concurrency: 8 });
  });

  it('read the three variables', () => {
    const config = parseConfig({ OBROL_OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'true', OBROL_OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS: '5', OBROL_OUTBOUND_WEBHOOKS_CONCURRENCY: '2' });
    expect(config.outboundWebhooks).toEqual({ allowPrivateAddresses: true, requestTimeoutMs: 5_000, concurrency: 2 });
  });

  it('stop the boot on a wrong value, naming the variable', () => {
    expect(() => parseConfig({ OBROL_OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS: '600' })).toThrow(/OBROL_OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS: must be at most 60/);
    expect(() => parseConfig({ OBROL_OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'maybe' })).toThrow(/OBROL_OUTBOUND_WEBHOOKS_ALLOW_PRIVATE/);
  });
});

describe('OBROL_HEAP_GROWTH_PERCENT', () => {
  it('lets the heap grow 50 % past its live data by default; 0 leaves it to Node', () => {
    expect(parseConfig({}).heapGrowthPercent).toBe(50);
    expect(parseConfig({ OBROL_HEAP_GROWTH_PERCENT: '0' }).heapGrowthPercent).toBe(0);
    expect(parseConfig({ OBROL_HEAP_GROWTH_PERCENT: '100' }).heapGrowthPercent).toBe(100);
  });

  it('stops the boot on a wrong value, naming the variable', () => {
    expect(() => parseConfig({ OBROL_HEAP_GROWTH_PERCENT: '-5' })).toThrow(/OBROL_HEAP_GROWTH_PERCENT: must be 0 \(Node's own\) or more/);
    expect(() => parseConfig({ OBROL_HEAP_GROWTH_PERCENT: '12.5' })).toThrow(/OBROL_HEAP_GROWTH_PERCENT: must be a whole number/);
    expect(() => parseConfig({ OBROL_HEAP_GROWTH_PERCENT: '1000' })).toThrow(/OBROL_HEAP_GROWTH_PERCENT: must be at most 300/);
  });
});

import { describe, expect, it } from 'vitest';
import { endpointUrlProblem, isPrivateAddress } from './endpoint-url.policy.js';

describe('endpoint URL policy', () => {
  it('accepts public http(s) URLs', () => {
    for (const url of ['https://api.example.com/hooks/obrol', 'http://example.com:8080/x?y=1', 'https://93.184.216.34/hook', 'https://[2606:4700::1111]/hook']) {
      expect(endpointUrlProblem(url, false), url).toBeNull();
    }
  });

  it('refuses other schemes, relative URLs and credentials', () => {
    expect(endpointUrlProblem('ftp://example.com/x', false)).toMatch(/https:\/\/ or http:\/\//);
    expect(endpointUrlProblem('file:///etc/passwd', false)).toMatch(/https:\/\//);
    expect(endpointUrlProblem('javascript:alert(1)', false)).toMatch(/https:\/\//);
    expect(endpointUrlProblem('/hooks', false)).toMatch(/not a valid URL/);
    expect(endpointUrlProblem('https://user:pass@example.com/', false)).toMatch(/user name or password/);
    // Allowing private addresses does not allow other schemes.
    expect(endpointUrlProblem('gopher://127.0.0.1/', true)).toMatch(/https:\/\//);
  });

  it('refuses loopback, private, link-local and metadata addresses unless allowed', () => {
    for (const url of [
      'http://localhost:3000/',
      'http://api.localhost/',
      'http://127.0.0.1/',
      'http://127.1.2.3/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a00:1]/',
      'http://2130706433/', // 127.0.0.1 written as one number: URL normalises it
    ]) {
      expect(endpointUrlProblem(url, false), url).toMatch(/localhost|private/);
      expect(endpointUrlProblem(url, true), url).toBeNull();
    }
  });

  it('tells private from public addresses', () => {
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('172.32.0.1')).toBe(false);
    expect(isPrivateAddress('2606:4700::1111')).toBe(false);
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
    expect(isPrivateAddress('172.31.255.255')).toBe(true);
    expect(isPrivateAddress('::ffff:7f00:1')).toBe(true);
    expect(isPrivateAddress('not an address')).toBe(true);
  });
});

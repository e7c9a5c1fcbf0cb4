import { describe, expect, it } from 'vitest';
import { httpUrl } from './http-url';

describe('httpUrl', () => {
  it('keeps http and https URLs', () => {
    expect(httpUrl('https://maps.example.test/?q=1')).toBe('https://maps.example.test/?q=1');
    expect(httpUrl('http://example.test')).toBe('http://example.test');
  });

  it('drops every other scheme, relative paths and garbage', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'blob:https://x/1', '/relative', 'not a url', '', null, undefined]) expect(httpUrl(bad)).toBeUndefined();
  });
});

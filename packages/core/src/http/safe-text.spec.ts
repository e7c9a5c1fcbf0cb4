import { describe, expect, it } from 'vitest';
import { safeText, withSafeText } from './safe-text.js';

describe('safeText', () => {
  it('drops NULs and replaces lone surrogates, keeping real pairs', () => {
    expect(safeText('a\u0000b')).toBe('ab');
    expect(safeText('x\uD800y')).toBe('x\uFFFDy');
    expect(safeText('\uDC00')).toBe('\uFFFD');
    expect(safeText('emoji \uD83D\uDE00 ok')).toBe('emoji \uD83D\uDE00 ok');
  });

  it('walks plain data, keys included, and leaves Dates and Buffers alone', () => {
    const when = new Date(0);
    const bytes = Buffer.from('a\u0000');
    expect(withSafeText({ 'k\u0000': ['\uD800', { when, bytes, n: 1, ok: true, none: null }] })).toEqual({ k: ['\uFFFD', { when, bytes, n: 1, ok: true, none: null }] });
  });

  it('cleans query strings as Fastify parses them (objects under an empty null-prototype parent)', () => {
    const Empty = function () {} as unknown as { new (): Record<string, string>; prototype: object };
    Empty.prototype = Object.create(null) as object;
    const query = new Empty();
    query.channelAccountId = '\u0000';
    expect(withSafeText(query)).toEqual({ channelAccountId: '' });
  });
});

describe('withSafeText copies only what it changes', () => {
  it('gives back the very object when every string was storable, and copies the path to a change', () => {
    const clean = { a: 'teks biasa', list: ['x', { n: 1, when: new Date(0) }] };
    expect(withSafeText(clean)).toBe(clean);

    const untouched = { keep: 'ok' };
    const dirty = { untouched, list: ['fine', 'bad\u0000'] };
    const safe = withSafeText(dirty);
    expect(safe).not.toBe(dirty);
    expect(safe.untouched).toBe(untouched);
    expect(safe.list).toEqual(['fine', 'bad']);
    // The input is left as it was.
    expect(dirty.list[1]).toBe('bad\u0000');
  });

  it('still turns a clean query string into a plain object', () => {
    const Empty = function () {} as unknown as { new (): Record<string, string>; prototype: object };
    Empty.prototype = Object.create(null) as object;
    const query = new Empty();
    query.page = '2';
    const safe = withSafeText(query);
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
    expect(safe).toEqual({ page: '2' });
  });
});

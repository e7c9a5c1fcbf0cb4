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

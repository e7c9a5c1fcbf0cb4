import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { newId } from './new-id.js';

describe('newId', () => {
  it('makes valid UUIDv7s that carry the time they were made', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after);
  });

  it('keeps ids in the order they were made, many within one millisecond, across refills of its random pool', () => {
    // 10,000 ids draw the 4 KiB pool 40 times over and share milliseconds by the hundred.
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    const outOfOrder = ids.findIndex((id, i) => i > 0 && id <= ids[i - 1]!);
    expect(outOfOrder).toBe(-1);
    // The random tail differs from id to id, not only the sequence.
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});

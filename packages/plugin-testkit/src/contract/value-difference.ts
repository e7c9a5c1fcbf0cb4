import { inspect, isDeepStrictEqual } from 'node:util';

function show(value: unknown): string {
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()})`;
  if (typeof value === 'string') return JSON.stringify(value);
  return inspect(value, { depth: 3, breakLength: Infinity });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Where `actual` first differs from `expected`, as `path: expected X but got Y`, or null when
 * they are equal. Like Vitest's `toEqual`, a property that is `undefined` counts as absent;
 * unlike it, a `Date` only equals a `Date` (a timestamp left as a string is a difference).
 */
export function firstDifference(actual: unknown, expected: unknown, path = ''): string | null {
  const here = path || '(value)';
  if (expected instanceof Date || actual instanceof Date) {
    if (!(expected instanceof Date) || !(actual instanceof Date)) return `${here}: expected ${show(expected)} but got ${show(actual)}`;
    return Object.is(expected.getTime(), actual.getTime()) ? null : `${here}: expected ${show(expected)} but got ${show(actual)}`;
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return `${here}: expected ${show(expected)} but got ${show(actual)}`;
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      const difference = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return expected.length === actual.length ? null : `${here}: expected ${expected.length} item(s) but got ${actual.length}`;
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      if (expected[key] === undefined && actual[key] === undefined) continue;
      const difference = firstDifference(actual[key], expected[key], path ? `${path}.${key}` : key);
      if (difference) return difference;
    }
    return null;
  }
  return isDeepStrictEqual(actual, expected) ? null : `${here}: expected ${show(expected)} but got ${show(actual)}`;
}

/**
 * Readers for untrusted JSON from Meta (webhooks and Graph responses). They never throw:
 * a field of the wrong type reads as `undefined`, so one odd field cannot lose a delivery.
 */

/** The value as a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value as an array (empty when it is not one). */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value as a string; numbers are turned into their decimal text (Meta mixes both for ids). */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The value as a finite number; numeric strings are accepted (Meta sends both). */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The value as a boolean, or undefined. */
export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Unix seconds (string or number) as a Date; undefined when missing or not a number. */
export function fromUnixSeconds(value: unknown): Date | undefined {
  const seconds = asNumber(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

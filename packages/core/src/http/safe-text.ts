import { Injectable, type PipeTransform } from '@nestjs/common';

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Anything `safeText` might change: almost no text has it, so most strings are only tested. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/**
 * Text that every database stores: PostgreSQL refuses U+0000 in text and JSON, and lone UTF-16
 * surrogates in JSON. NULs are dropped; a lone surrogate becomes U+FFFD, as a UTF-8 decoder would.
 */
export function safeText(text: string): string {
  if (!SUSPECT.test(text)) return text;
  return text.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * `safeText` applied to every string (and key) in plain JSON-like data; Dates, Buffers and the
 * like pass through. Plain objects and arrays are copied only where something changed (every
 * request's params and body, and every webhook's events, go through here); query strings as
 * Fastify parses them always come back as plain objects.
 */
export function withSafeText<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const safe = withSafeText(item);
      if (safe !== item) (copy ??= value.slice())[i] = safe;
    }
    return (copy ?? value) as T;
  }
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === Object.prototype || proto === null) return safeObject(value as Record<string, unknown>, false) as T;
    // Fastify's parsed query strings inherit from an empty null-prototype object: plain data too.
    if (Object.getPrototypeOf(proto) === null) return safeObject(value as Record<string, unknown>, true) as T;
  }
  return value;
}

function safeObject(value: Record<string, unknown>, alwaysCopy: boolean): Record<string, unknown> {
  let changed = alwaysCopy;
  const entries = Object.entries(value);
  for (const entry of entries) {
    const [key, item] = entry;
    const safeKey = safeText(key);
    const safe = withSafeText(item);
    if (safeKey !== key || safe !== item) {
      entry[0] = safeKey;
      entry[1] = safe;
      changed = true;
    }
  }
  return changed ? Object.fromEntries(entries) : value;
}

/** Global pipe: route params, queries and bodies reach the handlers as storable text. */
@Injectable()
export class SafeTextPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return withSafeText(value);
  }
}

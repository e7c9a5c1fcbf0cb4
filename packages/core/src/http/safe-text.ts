import { Injectable, type PipeTransform } from '@nestjs/common';

const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text that every database stores: PostgreSQL refuses U+0000 in text and JSON, and lone UTF-16
 * surrogates in JSON. NULs are dropped; a lone surrogate becomes U+FFFD, as a UTF-8 decoder would.
 */
export function safeText(text: string): string {
  return text.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** `safeText` applied to every string (and key) in plain JSON-like data; Dates, Buffers and the like pass through. */
export function withSafeText<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map(withSafeText) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    // Fastify's parsed query strings inherit from an empty null-prototype object: plain data too.
    if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), withSafeText(v)])) as T;
  }
  return value;
}

/** Global pipe: route params, queries and bodies reach the handlers as storable text. */
@Injectable()
export class SafeTextPipe implements PipeTransform {
  transform(value: unknown): unknown {
    return withSafeText(value);
  }
}

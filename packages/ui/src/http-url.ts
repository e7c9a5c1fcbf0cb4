/**
 * The URL when it is http(s), else undefined: URLs inside message content come from customers
 * and providers, so a `javascript:` or `data:` URL is never rendered as a link or a source.
 */
export function httpUrl(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The URL if a browser may open it as a link or load it (http, https, or Obrol's blob: media); otherwise undefined. */
export function safeUrl(url: string | undefined | null): string | undefined {
  if (!url) return undefined;
  try {
    return ['http:', 'https:', 'blob:'].includes(new URL(url, 'http://relative.invalid').protocol) ? url : undefined;
  } catch {
    return undefined;
  }
}

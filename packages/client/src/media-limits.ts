import type { ChannelAccountView } from './views.js';

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';
export type MediaLimits = NonNullable<ChannelAccountView['mediaLimits']>;

/** What the composer may do with a file, decided before any upload: a kind to send it as, or why not. */
export type AttachmentCheck =
  | { ok: true; kind: Exclude<MediaKind, 'sticker'> }
  | { ok: false; reason: 'no_media' }
  | { ok: false; reason: 'unsupported_type'; accepted: string[] }
  | { ok: false; reason: 'too_large'; kind: MediaKind; maxBytes: number };

const SENDABLE: Exclude<MediaKind, 'sticker'>[] = ['image', 'video', 'audio', 'document'];
const bare = (mime: string) => mime.split(';')[0]!.trim().toLowerCase();

/**
 * Checks a file against the channel's declared limits, as the server will: the first kind
 * (image, video, audio, then document) whose types include the file's, and its size limit.
 */
export function checkAttachment(file: { type: string; size: number }, limits: MediaLimits | null): AttachmentCheck {
  if (!limits) return { ok: false, reason: 'no_media' };
  const mime = bare(file.type || 'application/octet-stream');
  const kind = SENDABLE.find((k) => limits.mimeTypes[k]?.some((m) => bare(m) === mime));
  if (!kind) return { ok: false, reason: 'unsupported_type', accepted: acceptedTypes(limits) };
  const max = limits.maxBytes[kind];
  if (max !== undefined && file.size > max) return { ok: false, reason: 'too_large', kind, maxBytes: max };
  return { ok: true, kind };
}

/** Every MIME type the channel sends (for a file input's `accept`). */
export function acceptedTypes(limits: MediaLimits | null): string[] {
  if (!limits) return [];
  return [...new Set(SENDABLE.flatMap((k) => (limits.mimeTypes[k] ?? []).map(bare)))];
}

/** "5 MB", "500 KB": sizes as people read them (1 MB = 1024 × 1024 bytes, as the limits are declared). */
export function formatBytes(bytes: number, locale = 'en'): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0 }).format(value)} ${units[unit]}`;
}

/** The kind of file a template's media header shows. */
export type HeaderSampleKind = 'image' | 'video' | 'document';

/**
 * Checks a template header's sample file before it is uploaded: a type the channel takes for
 * that kind of media, within its size limit (the provider may be stricter still).
 */
export function checkHeaderSample(file: { type: string; size: number }, kind: HeaderSampleKind, limits: MediaLimits | null): AttachmentCheck {
  if (!limits) return { ok: false, reason: 'no_media' };
  const accepted = (limits.mimeTypes[kind] ?? []).map(bare);
  if (!accepted.includes(bare(file.type || 'application/octet-stream'))) return { ok: false, reason: 'unsupported_type', accepted };
  const max = limits.maxBytes[kind];
  if (max !== undefined && file.size > max) return { ok: false, reason: 'too_large', kind, maxBytes: max };
  return { ok: true, kind };
}

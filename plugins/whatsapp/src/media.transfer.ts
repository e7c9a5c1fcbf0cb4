import { err, ok, type ChannelError, type DownloadedMedia, type Result } from '@obrol/contracts';
import type { GraphApiClient } from './graph-api.client.js';
import { asNumber, asRecord, asString } from './json-payload.reader.js';

type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

const MB = 1024 * 1024;

/** Largest file per kind (MD/business-phone-numbers/media). Stickers: 500 KB animated, 100 KB static. */
export const WHATSAPP_MEDIA_MAX_BYTES: Record<MediaKind, number> = {
  image: 5 * MB,
  video: 16 * MB,
  audio: 16 * MB,
  document: 100 * MB,
  sticker: 500 * 1024,
};

/** Accepted MIME types per kind (MD/business-phone-numbers/media). */
export const WHATSAPP_MEDIA_MIME_TYPES: Record<MediaKind, readonly string[]> = {
  image: ['image/jpeg', 'image/png'],
  video: ['video/mp4', 'video/3gpp'],
  audio: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  document: [
    'text/plain',
    'application/pdf',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  ],
  sticker: ['image/webp'],
};

/** The bare MIME type (`audio/ogg; codecs=opus` → `audio/ogg`). */
function bareMimeType(mimeType: string): string {
  return mimeType.split(';')[0]!.trim().toLowerCase();
}

function kindOf(mimeType: string): MediaKind | undefined {
  const bare = bareMimeType(mimeType);
  return (Object.keys(WHATSAPP_MEDIA_MIME_TYPES) as MediaKind[]).find((kind) => WHATSAPP_MEDIA_MIME_TYPES[kind].includes(bare));
}

/**
 * Downloads an inbound media item: `GET /{media-id}` for its short-lived URL, then that URL
 * with the Bearer token. The URL lives 5 minutes; on a 404 the URL is fetched once more.
 */
export async function downloadMedia(graph: GraphApiClient, providerMediaId: string, phoneNumberId: string): Promise<Result<DownloadedMedia, ChannelError>> {
  let lastError: ChannelError | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const info = await graph.request({ method: 'GET', path: encodeURIComponent(providerMediaId), query: { phone_number_id: phoneNumberId } });
    if (!info.ok) return info;
    const body = asRecord(info.value);
    const url = asString(body?.['url']);
    if (!url) return err({ code: 'MEDIA_FAILED', message: 'WhatsApp did not give a download address for this media.', retryable: false });
    const file = await graph.requestBinary({ method: 'GET', path: url });
    if (file.ok) {
      const mimeType = asString(body?.['mime_type']) ?? file.value.contentType ?? 'application/octet-stream';
      return ok({ bytes: file.value.bytes, mimeType });
    }
    lastError = file.error;
    const status = asNumber(asRecord(file.error.details)?.['httpStatus']);
    if (status !== 404) break;
  }
  return err(lastError ?? { code: 'MEDIA_FAILED', message: 'The media could not be downloaded.', retryable: true });
}

/**
 * Uploads bytes to `POST /{phone-number-id}/media` (multipart: messaging_product, type, file)
 * after checking WhatsApp's type and size limits; returns the media id to send with.
 */
export async function uploadMedia(graph: GraphApiClient, media: DownloadedMedia, phoneNumberId: string): Promise<Result<{ providerMediaId: string }, ChannelError>> {
  const kind = kindOf(media.mimeType);
  if (!kind) {
    return err({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `WhatsApp does not accept ${media.mimeType} files.`, retryable: false });
  }
  if (media.bytes.length > WHATSAPP_MEDIA_MAX_BYTES[kind]) {
    const limit = WHATSAPP_MEDIA_MAX_BYTES[kind];
    return err({
      code: 'PAYLOAD_TOO_LARGE',
      message: `The ${kind} is ${media.bytes.length} bytes; WhatsApp accepts at most ${limit} bytes.`,
      retryable: false,
    });
  }
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', media.mimeType);
  form.set('file', new Blob([new Uint8Array(media.bytes)], { type: media.mimeType }), media.filename ?? `upload.${bareMimeType(media.mimeType).split('/')[1]}`);
  const res = await graph.request({ method: 'POST', path: `${phoneNumberId}/media`, body: { form } });
  if (!res.ok) return res;
  const id = asString(asRecord(res.value)?.['id']);
  return id ? ok({ providerMediaId: id }) : err({ code: 'MEDIA_FAILED', message: 'WhatsApp did not return a media id for the upload.', retryable: false });
}

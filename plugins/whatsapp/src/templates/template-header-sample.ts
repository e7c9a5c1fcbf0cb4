import { err, ok, type ChannelError, type DownloadedMedia, type Result } from '@obrol/contracts';
import type { GraphApiClient } from '../graph-api.client.js';
import { asRecord, asString } from '../json-payload.reader.js';

/**
 * The sample files a media header takes, by type, with Meta's media limits: the Resumable
 * Upload API accepts PDF, JPEG, PNG and MP4 only.
 */
export const HEADER_SAMPLE_MAX_BYTES: Record<string, number> = {
  'image/jpeg': 5 * 1024 * 1024,
  'image/png': 5 * 1024 * 1024,
  'video/mp4': 16 * 1024 * 1024,
  'application/pdf': 100 * 1024 * 1024,
};

/**
 * Uploads a header sample through Meta's Resumable Upload API: `POST /{app-id}/uploads` opens a
 * session, `POST /upload:{id}` (OAuth, `file_offset: 0`) sends the bytes and answers the file
 * handle `h` that the template's `example.header_handle` names.
 */
export async function uploadHeaderSample(graph: GraphApiClient, appId: string | undefined, media: DownloadedMedia): Promise<Result<{ handle: string }, ChannelError>> {
  if (!appId) {
    return err({ code: 'CHANNEL_CONFIG_INVALID', message: 'Uploading a header sample needs the Meta app\'s "App ID" in this number\'s settings (App Dashboard, top of the page).', retryable: false });
  }
  const type = media.mimeType.split(';')[0]!.trim().toLowerCase();
  const max = HEADER_SAMPLE_MAX_BYTES[type];
  if (max === undefined) {
    return err({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `A header sample must be a JPEG or PNG image, an MP4 video or a PDF document, not ${type}.`, retryable: false });
  }
  if (media.bytes.length === 0) return err({ code: 'VALIDATION_FAILED', message: 'The sample file is empty.', retryable: false });
  if (media.bytes.length > max) {
    return err({ code: 'PAYLOAD_TOO_LARGE', message: `The sample is ${media.bytes.length} bytes; WhatsApp accepts at most ${max} bytes for ${type}.`, retryable: false });
  }
  const session = await graph.request({
    method: 'POST',
    path: `${appId}/uploads`,
    query: { file_name: media.filename, file_length: String(media.bytes.length), file_type: type },
  });
  if (!session.ok) return session;
  const sessionId = asString(asRecord(session.value)?.['id']);
  if (!sessionId?.startsWith('upload:')) return err({ code: 'CHANNEL_ERROR', message: 'WhatsApp did not open an upload session for the sample.', retryable: false });
  const sent = await graph.request({ method: 'POST', path: sessionId, authScheme: 'OAuth', body: { bytes: media.bytes, headers: { file_offset: '0', 'content-type': type } } });
  if (!sent.ok) return sent;
  const handle = asString(asRecord(sent.value)?.['h']);
  return handle ? ok({ handle }) : err({ code: 'CHANNEL_ERROR', message: 'WhatsApp did not return a handle for the uploaded sample.', retryable: false });
}

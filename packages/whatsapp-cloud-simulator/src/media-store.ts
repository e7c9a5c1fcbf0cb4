import { createHash, createHmac } from 'node:crypto';
import { fail, graphError, ok, type Checked } from './graph-error.js';
import { newNumericId } from './meta-ids.js';
import type { SimulatorClock } from './simulator-options.js';

/** One stored media object, uploaded by the business or sent by a simulated customer. */
export interface StoredMedia {
  id: string;
  mimeType: string;
  bytes: Buffer;
  /** Hex SHA-256, as `GET /{media-id}` reports it. */
  sha256: string;
  filename?: string;
  uploadedAt: Date;
}

/** Meta's size limits per MIME type (WHATSAPP.md §2.5). */
const LIMITS: Array<{ pattern: RegExp; maxBytes: number }> = [
  { pattern: /^audio\/(aac|amr|mpeg|mp4|ogg)(;.*)?$/, maxBytes: 16 * 1024 * 1024 },
  { pattern: /^image\/(jpeg|png)$/, maxBytes: 5 * 1024 * 1024 },
  { pattern: /^image\/webp$/, maxBytes: 500 * 1024 },
  { pattern: /^video\/(mp4|3gpp)$/, maxBytes: 16 * 1024 * 1024 },
  {
    pattern:
      /^(text\/plain|application\/pdf|application\/msword|application\/vnd\.ms-(excel|powerpoint)|application\/vnd\.openxmlformats-officedocument\..+)$/,
    maxBytes: 100 * 1024 * 1024,
  },
];

/** Download URLs stay valid for five minutes, like Meta's lookaside URLs. */
const URL_TTL_MS = 5 * 60 * 1_000;

export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();

  constructor(
    private readonly clock: SimulatorClock,
    private readonly urlSecret: string,
  ) {}

  /** Stores bytes after Meta's type and size checks (→ 131053). */
  upload(bytes: Buffer, mimeType: string, filename?: string): Checked<StoredMedia> {
    const limit = LIMITS.find((entry) => entry.pattern.test(mimeType));
    if (!limit) return fail(graphError(131053, `Param file must be a file with one of the following types: audio, document, image, sticker, video. Received ${mimeType}.`));
    if (bytes.length === 0) return fail(graphError(131053, 'The uploaded file is empty.'));
    if (bytes.length > limit.maxBytes) return fail(graphError(131053, `The file is larger than ${limit.maxBytes} bytes allowed for ${mimeType}.`));
    return ok(this.put(bytes, mimeType, filename));
  }

  /** Stores without checks, for media a simulated customer sends. */
  put(bytes: Buffer, mimeType: string, filename?: string): StoredMedia {
    const media: StoredMedia = {
      id: newNumericId(),
      mimeType,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      filename,
      uploadedAt: this.clock.now(),
    };
    this.items.set(media.id, media);
    return media;
  }

  get(id: string): StoredMedia | undefined {
    return this.items.get(id);
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  /** A lookaside-style URL on the simulator, signed and valid for five minutes. */
  downloadUrl(baseUrl: string, media: StoredMedia): string {
    const ext = String(Math.floor(this.clock.now().getTime() / 1_000));
    return `${baseUrl}/whatsapp_business/attachments/?mid=${media.id}&ext=${ext}&hash=${this.hash(media.id, ext)}`;
  }

  /** Resolves a download URL's query back to its media, or undefined when unknown or expired. */
  resolveDownload(query: { mid?: string; ext?: string; hash?: string }): StoredMedia | undefined {
    const { mid, ext, hash } = query;
    if (!mid || !ext || !hash || hash !== this.hash(mid, ext)) return undefined;
    if (this.clock.now().getTime() - Number(ext) * 1_000 > URL_TTL_MS) return undefined;
    return this.items.get(mid);
  }

  private hash(mid: string, ext: string): string {
    return createHmac('sha256', this.urlSecret).update(`${mid}:${ext}`).digest('base64url').slice(0, 22);
  }
}

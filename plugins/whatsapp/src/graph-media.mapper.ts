import type { MediaRef } from '@obrol/contracts';

/** Meta's media object for a send: by uploaded `id`, or by public `link`. */
export interface GraphMediaObject {
  id?: string;
  link?: string;
  caption?: string;
  filename?: string;
}

/**
 * The Graph media object for a media reference, or undefined when it has neither a provider
 * media id nor a URL (an Obrol-stored file must be uploaded with `media.upload` first).
 */
export function toGraphMedia(media: MediaRef, extra: { caption?: boolean; filename?: string } = {}): GraphMediaObject | undefined {
  const source: GraphMediaObject | undefined = media.providerMediaId
    ? { id: media.providerMediaId }
    : media.url
      ? { link: media.url }
      : undefined;
  if (!source) return undefined;
  return {
    ...source,
    ...(extra.caption && media.caption ? { caption: media.caption } : {}),
    ...(extra.filename ? { filename: extra.filename } : {}),
  };
}

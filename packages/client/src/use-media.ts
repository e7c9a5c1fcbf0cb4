import { useObrol } from './obrol-context.js';

/**
 * Object URLs for stored media, fetched with the bearer token: `url(mediaId)` is undefined
 * until the bytes arrive, then re-renders whoever read it.
 */
export function useMedia() {
  const ctx = useObrol();
  function url(mediaId: string): string | undefined {
    const entry = ctx.media.get(mediaId);
    if (entry === undefined) {
      ctx.media.set(mediaId, 'loading');
      ctx.api.mediaBlob(mediaId).then(
        (blob) => ctx.media.set(mediaId, URL.createObjectURL(blob)),
        () => ctx.media.set(mediaId, 'error'),
      );
      return undefined;
    }
    return entry === 'loading' || entry === 'error' ? undefined : entry;
  }
  return { url };
}


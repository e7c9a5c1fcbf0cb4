import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';

/**
 * Object URLs for stored media, fetched with the bearer token: `url(mediaId)` is undefined
 * until the bytes arrive, then re-renders whoever read it.
 */
export const useMediaStore = defineStore('obrol/media', () => {
  const connection = useConnectionStore();
  const entries = ref<Record<string, string | 'loading' | 'error'>>({});

  function url(mediaId: string): string | undefined {
    const entry = entries.value[mediaId];
    if (entry === undefined) {
      entries.value[mediaId] = 'loading';
      connection.api.mediaBlob(mediaId).then(
        (blob) => (entries.value[mediaId] = URL.createObjectURL(blob)),
        () => (entries.value[mediaId] = 'error'),
      );
      return undefined;
    }
    return entry === 'loading' || entry === 'error' ? undefined : entry;
  }

  return { entries, url };
});

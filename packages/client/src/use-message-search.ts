import type { MessageSearchHit } from '@obrol/contracts';
import { type MaybeRefOrGetter, computed, ref, shallowRef, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';

/**
 * Messages that match a search (full text over every message, ADR 0022), newest first: the
 * first page when the text changes (nothing for an empty one), `loadMore` for the next.
 */
export function useMessageSearch(q: MaybeRefOrGetter<string>, options: { pageSize?: number } = {}) {
  const connection = useConnectionStore();
  const hits = shallowRef<MessageSearchHit[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  let generation = 0;

  async function page(cursor: string | null): Promise<void> {
    const text = toValue(q).trim();
    const mine = cursor ? generation : ++generation;
    if (!cursor) {
      hits.value = [];
      nextCursor.value = null;
      error.value = null;
    }
    if (!text) return;
    loading.value = true;
    try {
      const result = await connection.api.searchMessages(text, { limit: options.pageSize ?? 20, ...(cursor ? { cursor } : {}) });
      if (mine !== generation) return;
      hits.value = [...hits.value, ...result.items];
      nextCursor.value = result.nextCursor;
    } catch (e) {
      if (mine === generation) error.value = toApiError(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    if (nextCursor.value && !loading.value) await page(nextCursor.value);
  }

  watch(() => toValue(q), () => void page(null), { immediate: true });

  return { hits, loading, error, hasMore: computed(() => !!nextCursor.value), loadMore };
}

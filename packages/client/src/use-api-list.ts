import { type Ref, ref, shallowRef } from 'vue';
import { type ApiError, toApiError } from './api-error.js';

/** A list loaded from the API, with its loading state and last error; `refresh` loads it again. */
export function useApiList<T>(load: () => Promise<T[]>, options: { immediate?: boolean } = {}) {
  const items = shallowRef<T[]>([]) as Ref<T[]>;
  const loading = ref(false);
  const error = ref<ApiError | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      items.value = await load();
      error.value = null;
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loading.value = false;
    }
  }

  if (options.immediate !== false) void refresh();
  return { items, loading, error, refresh };
}

import { type MaybeRefOrGetter, computed, ref, shallowRef, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { TemplateView } from './views.js';

/** A channel's templates; `approved` are those that may be sent. Refetched on a template status change. */
export function useTemplates(channelAccountId: MaybeRefOrGetter<string | null>) {
  const connection = useConnectionStore();
  const templates = shallowRef<TemplateView[]>([]);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);

  async function refresh(): Promise<void> {
    const id = toValue(channelAccountId);
    if (!id) {
      templates.value = [];
      return;
    }
    loading.value = true;
    error.value = null;
    try {
      templates.value = await connection.api.listTemplates(id);
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loading.value = false;
    }
  }

  const realtime = useRealtime();
  realtime.onEvent((event) => {
    if (event.type === 'template.status' && event.channelAccountId === toValue(channelAccountId)) void refresh();
  });
  realtime.onReconnected(() => void refresh());
  watch(() => toValue(channelAccountId), () => void refresh(), { immediate: true });

  return { templates, approved: computed(() => templates.value.filter((t) => t.status === 'APPROVED')), loading, error, refresh };
}

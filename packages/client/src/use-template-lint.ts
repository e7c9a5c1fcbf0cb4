import { type MaybeRefOrGetter, onScopeDispose, ref, shallowRef, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import type { TemplateProblem } from './views.js';

/**
 * The channel's template linter, run on the server as the draft changes (debounced), so the
 * editor explains each problem next to its field before anything is submitted.
 */
export function useTemplateLint(channelAccountId: MaybeRefOrGetter<string | null>, draft: MaybeRefOrGetter<unknown>, delayMs = 300) {
  const connection = useConnectionStore();
  const problems = shallowRef<TemplateProblem[]>([]);
  const checking = ref(false);
  const error = ref<ApiError | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let run = 0;

  async function lintNow(): Promise<void> {
    const id = toValue(channelAccountId);
    if (!id) return;
    const mine = ++run;
    checking.value = true;
    try {
      const found = await connection.api.lintTemplate(id, toValue(draft));
      // An older answer arriving late must not replace a newer one.
      if (mine === run) {
        problems.value = found;
        error.value = null;
      }
    } catch (e) {
      if (mine === run) error.value = toApiError(e);
    } finally {
      if (mine === run) checking.value = false;
    }
  }

  watch(
    () => [toValue(channelAccountId), JSON.stringify(toValue(draft))],
    () => {
      clearTimeout(timer);
      timer = setTimeout(() => void lintNow(), delayMs);
    },
    { immediate: true },
  );
  onScopeDispose(() => clearTimeout(timer));

  return { problems, checking, error, lintNow };
}

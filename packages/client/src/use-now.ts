import { onScopeDispose, ref } from 'vue';

/** The current time, refreshed every `intervalMs`, for countdowns. */
export function useNow(intervalMs = 30_000) {
  const now = ref(new Date());
  const timer = setInterval(() => (now.value = new Date()), intervalMs);
  onScopeDispose(() => clearInterval(timer));
  return now;
}

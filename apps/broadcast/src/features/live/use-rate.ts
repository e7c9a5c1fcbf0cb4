import { type Ref, computed, ref, watch } from 'vue';

/** Messages per second over the last `windowMs`, from a growing count, and the time left at that rate. */
export function useRate(count: Ref<number>, remaining: Ref<number>, windowMs = 15_000, now: () => number = Date.now) {
  const samples = ref<{ at: number; count: number }[]>([]);
  watch(count, (c) => {
    const at = now();
    samples.value = [...samples.value.filter((s) => at - s.at <= windowMs), { at, count: c }];
  }, { immediate: true });
  const rate = computed(() => {
    const s = samples.value;
    if (s.length < 2) return 0;
    const first = s[0]!;
    const last = s.at(-1)!;
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (last.count - first.count) / seconds) : 0;
  });
  const etaSeconds = computed(() => (rate.value > 0 && remaining.value > 0 ? Math.ceil(remaining.value / rate.value) : null));
  return { rate, etaSeconds };
}

import { computed, onScopeDispose } from 'vue';
import { useObrol } from './obrol-context.js';
import type { LiveEventFrame } from './views.js';

/**
 * The realtime connection's status, and hooks on its events and on `reconnected` (live
 * events are losable: refetch then). Listeners go away with the calling component.
 */
export function useRealtime() {
  const ctx = useObrol();
  const stops: (() => void)[] = [];
  onScopeDispose(() => stops.forEach((stop) => stop()));
  return {
    status: computed(() => ctx.realtimeStatus.value),
    connect: () => ctx.realtime.connect(),
    disconnect: () => ctx.realtime.disconnect(),
    onEvent(listener: (event: LiveEventFrame) => void) {
      stops.push(ctx.realtime.onEvent(listener));
    },
    onReconnected(listener: () => void) {
      stops.push(ctx.realtime.onReconnected(listener));
    },
  };
}

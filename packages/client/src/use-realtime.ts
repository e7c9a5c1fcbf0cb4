import { computed, onScopeDispose } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { LiveEventFrame } from './views.js';

/**
 * The realtime connection's status, and hooks on its events and on `reconnected` (live
 * events are losable: refetch then). Listeners go away with the calling component.
 */
export function useRealtime() {
  const connection = useConnectionStore();
  const stops: (() => void)[] = [];
  onScopeDispose(() => stops.forEach((stop) => stop()));
  return {
    status: computed(() => connection.realtimeStatus),
    connect: () => connection.realtime.connect(),
    disconnect: () => connection.realtime.disconnect(),
    onEvent(listener: (event: LiveEventFrame) => void) {
      stops.push(connection.realtime.onEvent(listener));
    },
    onReconnected(listener: () => void) {
      stops.push(connection.realtime.onReconnected(listener));
    },
  };
}

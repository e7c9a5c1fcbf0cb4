import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { ChannelAccountView } from './views.js';

/** Channel accounts the app has looked at (their media limits, capabilities), loaded once each. */
export const useChannelsStore = defineStore('obrol/channels', () => {
  const connection = useConnectionStore();
  const byId = ref<Record<string, ChannelAccountView>>({});
  const loading = new Map<string, Promise<ChannelAccountView | null>>();

  function load(id: string): Promise<ChannelAccountView | null> {
    const known = byId.value[id];
    if (known) return Promise.resolve(known);
    let pending = loading.get(id);
    if (!pending) {
      pending = connection.api
        .getChannel(id)
        .then((channel) => (byId.value[id] = channel))
        .catch(() => null)
        .finally(() => loading.delete(id));
      loading.set(id, pending);
    }
    return pending;
  }

  return { byId, load };
});

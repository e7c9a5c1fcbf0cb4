import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { ChannelAccountView } from './views.js';

/**
 * Channel accounts the app has looked at (their media limits, capabilities, restriction),
 * loaded once each and kept current: the server pushes a number the provider restricted or
 * freed again, and the app reads them anew after a reconnect (pushes are losable).
 */
export const useChannelsStore = defineStore('obrol/channels', () => {
  const connection = useConnectionStore();
  const byId = ref<Record<string, ChannelAccountView>>({});
  const loading = new Map<string, Promise<ChannelAccountView | null>>();

  function fetch(id: string): Promise<ChannelAccountView | null> {
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

  function load(id: string): Promise<ChannelAccountView | null> {
    const known = byId.value[id];
    return known ? Promise.resolve(known) : fetch(id);
  }

  /** Reads the account again (e.g. after the server refused a send because of it). */
  function refresh(id: string): Promise<ChannelAccountView | null> {
    return fetch(id);
  }

  connection.realtime.onEvent((event) => {
    if (event.type === 'channel.updated') byId.value[event.channelAccountId] = event.data.channel;
  });
  connection.realtime.onReconnected(() => {
    for (const id of Object.keys(byId.value)) void fetch(id);
  });

  return { byId, load, refresh };
});

import { onScopeDispose } from 'vue';
import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { AccountCheckView, ChannelAccountView, ChannelInput, ChannelPatch, ChannelPluginView } from './views.js';

const HEALTH_REFRESH_MS = 3_000;

/** Connected channel accounts with their health, and the installed plugins with their forms. */
export function useChannelsAdmin() {
  const connection = useConnectionStore();
  const channels = useApiList<ChannelAccountView>(() => connection.api.listChannels());
  const plugins = useApiList<ChannelPluginView>(() => connection.api.listChannelPlugins());

  // Health moves as webhooks arrive: reload (at most every few seconds) when an account's events do.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const realtime = useRealtime();
  realtime.onEvent((event) => {
    if (pending || !('channelAccountId' in event)) return;
    pending = setTimeout(() => {
      pending = undefined;
      void channels.refresh();
    }, HEALTH_REFRESH_MS);
  });
  realtime.onReconnected(() => void channels.refresh());
  onScopeDispose(() => clearTimeout(pending));

  function testConnection(pluginId: string, config: Record<string, unknown>): Promise<AccountCheckView> {
    return connection.api.checkChannelConfig(pluginId, config);
  }

  async function connect(input: ChannelInput): Promise<ChannelAccountView> {
    const account = await connection.api.createChannel(input);
    await channels.refresh();
    return account;
  }

  async function update(id: string, patch: ChannelPatch): Promise<ChannelAccountView> {
    const account = await connection.api.updateChannel(id, patch);
    await channels.refresh();
    return account;
  }

  async function recheck(id: string): Promise<void> {
    await connection.api.recheckChannel(id);
    await channels.refresh();
  }

  return { channels: channels.items, plugins: plugins.items, loading: channels.loading, error: channels.error, refresh: channels.refresh, testConnection, connect, update, recheck };
}

import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import type { AccountCheckView, ChannelAccountView, ChannelInput, ChannelPatch, ChannelPluginView } from './views.js';

/** Connected channel accounts with their health, and the installed plugins with their forms. */
export function useChannelsAdmin() {
  const connection = useConnectionStore();
  const channels = useApiList<ChannelAccountView>(() => connection.api.listChannels());
  const plugins = useApiList<ChannelPluginView>(() => connection.api.listChannelPlugins());

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

import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import type { ApiKeyInput, ApiKeyView } from './views.js';

/** API keys for back-end systems: create (the key is returned once), list with last use, revoke. */
export function useApiKeys() {
  const connection = useConnectionStore();
  const keys = useApiList<ApiKeyView>(() => connection.api.listApiKeys());

  /** Returns the key itself: show it now, it cannot be read again. */
  async function create(input: ApiKeyInput): Promise<string> {
    const created = await connection.api.createApiKey(input);
    await keys.refresh();
    return created.key;
  }

  async function revoke(id: string): Promise<void> {
    await connection.api.revokeApiKey(id);
    await keys.refresh();
  }

  return { keys: keys.items, loading: keys.loading, error: keys.error, refresh: keys.refresh, create, revoke };
}

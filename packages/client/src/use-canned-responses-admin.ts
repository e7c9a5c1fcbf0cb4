import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import type { CannedResponseInput, CannedResponseView } from './views.js';

/** The canned responses library as a page manages it: every agent lists it, admins create, edit and delete. */
export function useCannedResponsesAdmin() {
  const connection = useConnectionStore();
  const responses = useApiList<CannedResponseView>(() => connection.api.listCannedResponses());

  async function create(input: CannedResponseInput): Promise<CannedResponseView> {
    const created = await connection.api.createCannedResponse(input);
    await responses.refresh();
    return created;
  }

  async function update(id: string, patch: Partial<CannedResponseInput>): Promise<CannedResponseView> {
    const updated = await connection.api.updateCannedResponse(id, patch);
    await responses.refresh();
    return updated;
  }

  async function remove(id: string): Promise<void> {
    await connection.api.deleteCannedResponse(id);
    await responses.refresh();
  }

  return { responses: responses.items, loading: responses.loading, error: responses.error, refresh: responses.refresh, create, update, remove };
}

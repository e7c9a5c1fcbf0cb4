import { useConnectionStore } from './connection.store.js';
import { useSessionStore } from './session.store.js';
import type { AccountPatch } from './views.js';

/** The signed-in agent's own account: name, language, notifications and password. */
export function useAccount() {
  const connection = useConnectionStore();
  const session = useSessionStore();

  async function update(patch: AccountPatch): Promise<void> {
    session.agent = await connection.api.updateMe(patch);
  }

  /** Throws the API's error (wrong current password, too weak…) for the form to show. */
  async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await connection.api.changePassword(currentPassword, newPassword);
  }

  return { update, changePassword };
}

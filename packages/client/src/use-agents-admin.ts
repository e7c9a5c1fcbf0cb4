import { useApiList } from './use-api-list.js';
import { useConnectionStore } from './connection.store.js';
import type { AgentInput, AgentPatch, AgentView, ChannelAccountView, PasswordLink } from './views.js';

/** The admin's view of the team: agents, the inboxes they may join, invitations and resets. */
export function useAgentsAdmin() {
  const connection = useConnectionStore();
  const agents = useApiList<AgentView>(() => connection.api.listAgents());
  const inboxes = useApiList<ChannelAccountView>(() => connection.api.listChannels());

  /** Invites (no password): the answer's link is shown to the admin once. */
  async function invite(input: Omit<AgentInput, 'password'>): Promise<PasswordLink | null> {
    const created = await connection.api.createAgent(input);
    await agents.refresh();
    return created.setPasswordLink ?? null;
  }

  async function update(id: string, patch: AgentPatch): Promise<void> {
    await connection.api.updateAgent(id, patch);
    await agents.refresh();
  }

  function resetPassword(id: string): Promise<PasswordLink> {
    return connection.api.resetAgentPassword(id);
  }

  return { agents: agents.items, inboxes: inboxes.items, loading: agents.loading, error: agents.error, refresh: agents.refresh, invite, update, resetPassword };
}

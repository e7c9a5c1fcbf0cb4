import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { isApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import type { AgentView } from './views.js';

export const TOKEN_KEY = 'obrol.token';

/** The signed-in agent: log in and out, and restore a session kept in the tab's storage. */
export const useSessionStore = defineStore('obrol/session', () => {
  const connection = useConnectionStore();
  const token = ref<string | null>(connection.tokenStorage?.getItem(TOKEN_KEY) ?? null);
  const agent = ref<AgentView | null>(null);

  async function login(email: string, password: string): Promise<void> {
    const result = await connection.api.login(email, password);
    token.value = result.token;
    agent.value = result.agent;
    connection.tokenStorage?.setItem(TOKEN_KEY, result.token);
    connection.realtime.connect();
  }

  /** Loads the agent behind a stored token; clears the session when the token is no longer valid. */
  async function restore(): Promise<boolean> {
    if (!token.value) return false;
    if (agent.value) return true;
    try {
      const me = await connection.api.me();
      if (me.kind !== 'agent') throw new Error('not an agent');
      const { kind: _kind, ...view } = me;
      agent.value = view;
      connection.realtime.connect();
      return true;
    } catch (error) {
      if (isApiError(error, 'NETWORK_ERROR')) throw error;
      clear();
      return false;
    }
  }

  async function logout(): Promise<void> {
    try {
      await connection.api.logout();
    } catch {
      // The session ends locally either way.
    }
    clear();
  }

  /** Forgets the token and the agent, and closes the socket (also on any 401). */
  function clear(): void {
    token.value = null;
    agent.value = null;
    connection.tokenStorage?.removeItem(TOKEN_KEY);
    connection.realtime.disconnect();
  }

  return { token, agent, isAuthenticated: computed(() => !!token.value), login, logout, restore, clear };
});

import { computed } from 'vue';
import { isApiError } from './api-error.js';
import { TOKEN_KEY, useObrol } from './obrol-context.js';

/** The signed-in agent: log in and out, and restore a session kept in the tab's storage. */
export function useSession() {
  const ctx = useObrol();

  async function login(email: string, password: string): Promise<void> {
    const result = await ctx.api.login(email, password);
    ctx.token.value = result.token;
    ctx.agent.value = result.agent;
    ctx.tokenStorage?.setItem(TOKEN_KEY, result.token);
    ctx.realtime.connect();
  }

  /** Loads the agent behind a stored token; clears the session when the token is no longer valid. */
  async function restore(): Promise<boolean> {
    if (!ctx.token.value) return false;
    if (ctx.agent.value) return true;
    try {
      const me = await ctx.api.me();
      if (me.kind !== 'agent') throw new Error('not an agent');
      const { kind: _kind, ...agent } = me;
      ctx.agent.value = agent;
      ctx.realtime.connect();
      return true;
    } catch (error) {
      if (isApiError(error, 'NETWORK_ERROR')) throw error;
      clear();
      return false;
    }
  }

  async function logout(): Promise<void> {
    try {
      await ctx.api.logout();
    } catch {
      // The session ends locally either way.
    }
    clear();
  }

  function clear() {
    ctx.token.value = null;
    ctx.agent.value = null;
    ctx.tokenStorage?.removeItem(TOKEN_KEY);
    ctx.realtime.disconnect();
  }

  return {
    agent: computed(() => ctx.agent.value),
    token: computed(() => ctx.token.value),
    isAuthenticated: computed(() => !!ctx.token.value),
    login,
    logout,
    restore,
  };
}

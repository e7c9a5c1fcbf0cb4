import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import { useSessionStore } from './session.store.js';
import type { AgentPresence, TeammateView } from './views.js';

/**
 * The teammates of the agent's inboxes (names for assignees and notes, @mentions) and the
 * agent's own presence. Loaded once after login, again after a reconnect; who is online, away or
 * offline follows the `agent.presence` live events.
 */
export const useTeamStore = defineStore('obrol/team', () => {
  const connection = useConnectionStore();
  const session = useSessionStore();
  const members = ref<TeammateView[]>([]);
  const loaded = ref(false);
  const error = ref<ApiError | null>(null);

  async function load(): Promise<void> {
    try {
      members.value = await connection.api.listTeam();
      loaded.value = true;
      error.value = null;
    } catch (e) {
      error.value = toApiError(e);
    }
  }

  const byId = computed(() => new Map(members.value.map((m) => [m.id, m])));
  const me = computed(() => (session.agent ? (byId.value.get(session.agent.id) ?? null) : null));

  /** Teammates who may take a conversation of this inbox. */
  function of(channelAccountId: string): TeammateView[] {
    return members.value.filter((m) => m.role === 'admin' || m.inboxIds.includes(channelAccountId));
  }

  async function setPresence(presence: AgentPresence): Promise<void> {
    upsert(await connection.api.setPresence(presence));
  }

  /** A teammate's presence changed (they opened or closed the app, or chose online or away). */
  function upsert(teammate: TeammateView): void {
    members.value = members.value.some((m) => m.id === teammate.id) ? members.value.map((m) => (m.id === teammate.id ? teammate : m)) : [...members.value, teammate];
  }

  connection.realtime.onEvent((event) => {
    if (event.type === 'agent.presence' && loaded.value) upsert(event.data);
  });
  connection.realtime.onReconnected(() => void load());

  return { members, loaded, error, load, byId, me, of, nameOf: (id: string | null) => (id ? (byId.value.get(id)?.name ?? null) : null), setPresence };
});

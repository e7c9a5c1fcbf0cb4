import { type MaybeRefOrGetter, computed, onScopeDispose, ref, toValue, watch } from 'vue';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { ConversationActivity } from './views.js';

/** Typing is announced at most this often; others forget it after `TYPING_FORGET_MS`. */
const TYPING_ANNOUNCE_MS = 3_000;
const TYPING_FORGET_MS = 6_000;

interface Seen {
  agentId: string;
  agentName: string;
  state: 'viewing' | 'typing';
  at: number;
}

/**
 * Collision detection: announces that this agent views the conversation (and types in it),
 * and lists the other agents viewing or typing there now.
 */
export function useCollision(conversationId: MaybeRefOrGetter<string | null>, now: () => number = Date.now) {
  const connection = useConnectionStore();
  const realtime = useRealtime();
  const seen = ref<Record<string, Seen>>({});
  const tick = ref(0);
  let typedAt = 0;

  realtime.onEvent((event) => {
    if (event.type !== 'conversation.activity' || event.conversationId !== toValue(conversationId)) return;
    const { agentId, agentName, state }: ConversationActivity = event.data;
    const next = { ...seen.value };
    if (state === 'left') delete next[agentId];
    else next[agentId] = { agentId, agentName, state, at: now() };
    seen.value = next;
  });

  // "Typing" fades when the announcements stop.
  const timer = setInterval(() => (tick.value += 1), 2_000);
  onScopeDispose(() => {
    clearInterval(timer);
    const id = toValue(conversationId);
    if (id) connection.realtime.announce(id, 'left');
  });

  watch(
    () => toValue(conversationId),
    (id, previous) => {
      if (previous) connection.realtime.announce(previous, 'left');
      seen.value = {};
      typedAt = 0;
      if (id) connection.realtime.announce(id, 'viewing');
    },
    { immediate: true },
  );

  /** Call as the agent types; announced at most every few seconds. */
  function typed(): void {
    const id = toValue(conversationId);
    if (!id || now() - typedAt < TYPING_ANNOUNCE_MS) return;
    typedAt = now();
    connection.realtime.announce(id, 'typing');
  }

  const others = computed(() => {
    void tick.value;
    return Object.values(seen.value).map((s) => ({ ...s, state: s.state === 'typing' && now() - s.at > TYPING_FORGET_MS ? ('viewing' as const) : s.state }));
  });

  return { others, typing: computed(() => others.value.filter((o) => o.state === 'typing')), viewing: computed(() => others.value.filter((o) => o.state === 'viewing')), typed };
}

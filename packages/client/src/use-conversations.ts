import { type MaybeRefOrGetter, computed, ref, shallowRef, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { byActivity, matchesFilters } from './conversation-list.js';
import { useConnectionStore } from './connection.store.js';
import { useConversationsStore } from './conversations.store.js';
import { useSessionStore } from './session.store.js';
import { useRealtime } from './use-realtime.js';
import type { ConversationFilters, ConversationPatch, ConversationView } from './views.js';

/**
 * The conversation list for some filters: first page on change, `loadMore` for the next,
 * live updates move conversations to the top (or drop those that no longer match), and a
 * refetch after the realtime socket reconnects.
 */
export function useConversations(filters: MaybeRefOrGetter<ConversationFilters> = {}, options: { pageSize?: number } = {}) {
  const connection = useConnectionStore();
  const session = useSessionStore();
  const store = useConversationsStore();
  const realtime = useRealtime();
  const ids = shallowRef<string[]>([]);
  const nextCursor = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  let generation = 0;

  const items = computed<ConversationView[]>(() => {
    const f = toValue(filters);
    const meId = session.agent?.id ?? null;
    return ids.value
      .map((id) => store.byId[id])
      .filter((c): c is ConversationView => !!c && matchesFilters(c, f, meId))
      .sort(byActivity);
  });

  async function refresh(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    error.value = null;
    try {
      const page = await connection.api.listConversations(toValue(filters), { limit: options.pageSize ?? 50 });
      if (mine !== generation) return;
      for (const c of page.items) store.put(c);
      ids.value = page.items.map((c) => c.id);
      nextCursor.value = page.nextCursor;
    } catch (e) {
      if (mine === generation) error.value = toApiError(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loading.value) return;
    const mine = generation;
    loading.value = true;
    try {
      const page = await connection.api.listConversations(toValue(filters), { limit: options.pageSize ?? 50, cursor: nextCursor.value });
      if (mine !== generation) return;
      for (const c of page.items) store.put(c);
      ids.value = [...new Set([...ids.value, ...page.items.map((c) => c.id)])];
      nextCursor.value = page.nextCursor;
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  realtime.onEvent((event) => {
    if (event.type !== 'message.created' && event.type !== 'conversation.updated') return;
    const c = event.data.conversation;
    if (ids.value.includes(c.id)) return;
    const f = toValue(filters);
    if (matchesFilters(c, f, session.agent?.id ?? null) && !f.q && (!f.tag || c.tags.includes(f.tag))) ids.value = [c.id, ...ids.value];
  });
  realtime.onReconnected(() => void refresh());
  watch(() => JSON.stringify(toValue(filters)), () => void refresh(), { immediate: true });

  return { items, loading, error, hasMore: computed(() => !!nextCursor.value), refresh, loadMore };
}

/** One conversation: load it, and assign, resolve, reopen or mark it read. */
export function useConversation(id: MaybeRefOrGetter<string | null>) {
  const connection = useConnectionStore();
  const session = useSessionStore();
  const store = useConversationsStore();
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  const conversation = computed(() => {
    const current = toValue(id);
    return current ? (store.byId[current] ?? null) : null;
  });

  async function refresh(): Promise<void> {
    const current = toValue(id);
    if (!current) return;
    loading.value = true;
    error.value = null;
    try {
      store.put(await connection.api.getConversation(current));
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loading.value = false;
    }
  }

  async function update(patch: ConversationPatch): Promise<void> {
    const current = toValue(id);
    if (!current) return;
    error.value = null;
    try {
      store.put(await connection.api.updateConversation(current, patch));
    } catch (e) {
      error.value = toApiError(e);
      throw error.value;
    }
  }

  useRealtime().onReconnected(() => void refresh());
  watch(() => toValue(id), () => void refresh(), { immediate: true });

  return {
    conversation,
    loading,
    error,
    refresh,
    update,
    assignToMe: () => update({ assigneeId: session.agent?.id ?? null }),
    unassign: () => update({ assigneeId: null }),
    resolve: () => update({ status: 'resolved' }),
    reopen: () => update({ status: 'open' }),
    markRead: () => update({ markRead: true }),
    addTag: (tag: string) => update({ addTags: [tag] }),
    removeTag: (tag: string) => update({ removeTags: [tag] }),
  };
}

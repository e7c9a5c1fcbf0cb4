import type { MessageView } from '@obrol/contracts';
import { type MaybeRefOrGetter, computed, ref, shallowRef, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { mergeMessages } from './conversation-list.js';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { SendMessageInput } from './views.js';

/**
 * A conversation's messages, oldest first: the newest page on open, `loadOlder` for the
 * pages before, live `message.created`/`message.updated` merged in (a status never goes
 * backwards), and the newest page again after a reconnect.
 */
export function useMessages(conversationId: MaybeRefOrGetter<string | null>, options: { pageSize?: number } = {}) {
  const connection = useConnectionStore();
  const realtime = useRealtime();
  const messages = shallowRef<MessageView[]>([]);
  const olderCursor = ref<string | null>(null);
  const loading = ref(false);
  const loadingOlder = ref(false);
  const error = ref<ApiError | null>(null);
  let generation = 0;

  async function refresh(keep = false): Promise<void> {
    const id = toValue(conversationId);
    const mine = ++generation;
    if (!keep) messages.value = [];
    if (!id) return;
    loading.value = true;
    error.value = null;
    try {
      const page = await connection.api.listMessages(id, { limit: options.pageSize ?? 30 });
      if (mine !== generation) return;
      messages.value = mergeMessages(keep ? messages.value : [], page.items);
      if (!keep) olderCursor.value = page.nextCursor;
    } catch (e) {
      if (mine === generation) error.value = toApiError(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  async function loadOlder(): Promise<void> {
    const id = toValue(conversationId);
    if (!id || !olderCursor.value || loadingOlder.value) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await connection.api.listMessages(id, { limit: options.pageSize ?? 30, cursor: olderCursor.value });
      if (mine !== generation) return;
      messages.value = mergeMessages(messages.value, page.items);
      olderCursor.value = page.nextCursor;
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loadingOlder.value = false;
    }
  }

  /** Sends and shows the message as queued at once; throws the ApiError (e.g. WINDOW_CLOSED). */
  async function send(input: SendMessageInput): Promise<MessageView> {
    const id = toValue(conversationId);
    if (!id) throw new Error('no conversation');
    try {
      const message = await connection.api.sendMessage(id, input);
      if (toValue(conversationId) === id) messages.value = mergeMessages(messages.value, [message]);
      return message;
    } catch (e) {
      throw toApiError(e);
    }
  }

  realtime.onEvent((event) => {
    if (event.type !== 'message.created' && event.type !== 'message.updated') return;
    const m = event.data.message;
    if (m.conversationId === toValue(conversationId)) messages.value = mergeMessages(messages.value, [m]);
  });
  realtime.onReconnected(() => void refresh(true));
  watch(() => toValue(conversationId), () => void refresh(), { immediate: true });

  return { messages, loading, loadingOlder, error, hasOlder: computed(() => !!olderCursor.value), refresh, loadOlder, send };
}

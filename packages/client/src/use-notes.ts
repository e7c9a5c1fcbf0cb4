import { type MaybeRefOrGetter, ref, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { NoteInput, NoteView } from './views.js';

/** The private notes of a conversation, oldest first, kept live; `add` writes one. */
export function useNotes(conversationId: MaybeRefOrGetter<string | null>) {
  const connection = useConnectionStore();
  const realtime = useRealtime();
  const notes = ref<NoteView[]>([]);
  const error = ref<ApiError | null>(null);

  const merge = (incoming: NoteView[]) => {
    const byId = new Map(notes.value.map((n) => [n.id, n]));
    for (const n of incoming) byId.set(n.id, n);
    notes.value = [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  };

  async function refresh(): Promise<void> {
    const id = toValue(conversationId);
    notes.value = [];
    if (!id) return;
    try {
      const loaded = await connection.api.listNotes(id);
      if (toValue(conversationId) === id) merge(loaded);
    } catch (e) {
      error.value = toApiError(e);
    }
  }

  async function add(input: NoteInput): Promise<NoteView> {
    const id = toValue(conversationId);
    if (!id) throw new Error('no conversation');
    const note = await connection.api.addNote(id, input);
    if (toValue(conversationId) === id) merge([note]);
    return note;
  }

  realtime.onEvent((event) => {
    if (event.type === 'note.created' && event.conversationId === toValue(conversationId)) merge([event.data.note]);
  });
  realtime.onReconnected(() => void refresh());
  watch(() => toValue(conversationId), () => void refresh(), { immediate: true });

  return { notes, error, add, refresh };
}

import { useRealtime } from './use-realtime.js';
import type { NoteView } from './views.js';

/** Calls `notify` when another agent mentions this agent in a private note. */
export function useMentions(notify: (mention: { conversationId: string; note: NoteView }) => void) {
  useRealtime().onEvent((event) => {
    if (event.type === 'agent.mentioned') notify({ conversationId: event.conversationId, note: event.data.note });
  });
}

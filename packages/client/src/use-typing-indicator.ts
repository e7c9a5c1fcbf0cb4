import { type MaybeRefOrGetter, toValue } from 'vue';
import { useConnectionStore } from './connection.store.js';

/** The server sends at most one indicator per 20 s per conversation; asking more often is wasted. */
const TYPING_INTERVAL_MS = 20_000;

/**
 * Lets the customer see that an agent is typing: call `typed()` from the composer's input
 * handler. It asks the API at most once per 20 s per conversation; the server decides whether
 * the channel can show it (window open, capability). Best effort: failures are ignored.
 */
export function useTypingIndicator(conversationId: MaybeRefOrGetter<string | null>, now: () => number = Date.now) {
  const connection = useConnectionStore();
  const askedAt = new Map<string, number>();

  function typed(): void {
    const id = toValue(conversationId);
    if (!id) return;
    const at = now();
    const last = askedAt.get(id);
    if (last !== undefined && at - last < TYPING_INTERVAL_MS) return;
    askedAt.set(id, at);
    connection.api.sendTypingIndicator(id).catch(() => undefined);
  }

  return { typed };
}

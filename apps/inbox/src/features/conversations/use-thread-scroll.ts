import type { MessageView } from '@obrol/client';
import { type MaybeRefOrGetter, type Ref, nextTick, ref, toValue, watch } from 'vue';

export interface ThreadScrollOptions {
  conversationId: MaybeRefOrGetter<string>;
  messages: Ref<readonly MessageView[]>;
  hasOlder: Ref<boolean>;
  loadingOlder: Ref<boolean>;
  loadOlder: () => Promise<void>;
}

/** How close to the bottom (px) still counts as reading the newest messages. */
const NEAR_BOTTOM = 80;
/** How close to the top (px) loads the page before. */
const NEAR_TOP = 40;

/**
 * Scrolling of a thread: start at the newest message, follow new ones when the agent is at the
 * bottom (or sent them), and keep the view still when older messages are put above.
 */
export function useThreadScroll(options: ThreadScrollOptions) {
  const scroller = ref<HTMLElement | null>(null);
  let initialScrollFor: string | null = null;

  const nearBottom = () => {
    const el = scroller.value;
    return !el || el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
  };

  async function scrollToBottom(): Promise<void> {
    await nextTick();
    if (scroller.value) scroller.value.scrollTop = scroller.value.scrollHeight;
  }

  watch(
    () => options.messages.value.length,
    async (length, before) => {
      if (length === 0) return;
      if (initialScrollFor !== toValue(options.conversationId)) {
        initialScrollFor = toValue(options.conversationId);
        return scrollToBottom();
      }
      const last = options.messages.value.at(-1);
      if ((before ?? 0) < length && (nearBottom() || last?.direction === 'outbound')) await scrollToBottom();
    },
  );
  watch(
    () => toValue(options.conversationId),
    () => (initialScrollFor = null),
  );

  /** Loads the page before and keeps the messages in view where they were. */
  async function loadOlder(): Promise<void> {
    const el = scroller.value;
    const fromBottom = el ? el.scrollHeight - el.scrollTop : 0;
    await options.loadOlder();
    await nextTick();
    if (el) el.scrollTop = el.scrollHeight - fromBottom;
  }

  function onScroll(): void {
    if (scroller.value && scroller.value.scrollTop < NEAR_TOP && options.hasOlder.value && !options.loadingOlder.value) void loadOlder();
  }

  return { scroller, scrollToBottom, loadOlder, onScroll };
}

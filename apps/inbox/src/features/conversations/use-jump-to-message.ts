import type { MessageView } from '@obrol/client';
import { type Ref, nextTick, ref, watch } from 'vue';

export interface JumpToMessageOptions {
  /** The message to bring into view (a search hit), or null. */
  target: () => string | null;
  messages: Ref<readonly MessageView[]>;
  hasOlder: Ref<boolean>;
  loading: Ref<boolean>;
  /** Loads the page before, keeping the view still. */
  loadOlder: () => Promise<void>;
  /** Scrolls a message of the thread to the middle of the view. */
  reveal: (id: string) => void;
}

/**
 * Jumps to a message found by search: loads older pages by cursor until it is in the thread,
 * then scrolls it to the middle of the view and marks it (`highlighted`).
 */
export function useJumpToMessage(options: JumpToMessageOptions) {
  const highlighted = ref<string | null>(null);
  const has = (id: string) => options.messages.value.some((m) => m.id === id);
  let jumping = false;

  async function jump(id: string): Promise<void> {
    jumping = true;
    try {
      while (!has(id) && options.hasOlder.value) await options.loadOlder();
      if (!has(id)) return;
      highlighted.value = id;
      await nextTick();
      // After the thread's own first scroll to the newest message.
      await new Promise((resolve) => requestAnimationFrame(resolve));
      options.reveal(id);
    } finally {
      jumping = false;
    }
  }

  watch(
    [options.target, options.loading, () => options.messages.value.length > 0],
    ([id, loading, loaded]) => {
      if (!id) highlighted.value = null;
      else if (!loading && loaded && !jumping && highlighted.value !== id) void jump(id);
    },
    { immediate: true },
  );

  return { highlighted };
}

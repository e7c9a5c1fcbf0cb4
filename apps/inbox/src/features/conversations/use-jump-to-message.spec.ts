import type { MessageView } from '@obrol/client';
import { describe, expect, it } from 'vitest';
import { nextTick, ref, shallowRef } from 'vue';
import { useJumpToMessage } from './use-jump-to-message';

const message = (id: string) => ({ id }) as MessageView;

describe('useJumpToMessage', () => {
  it('loads older pages until the message is there, then marks it', async () => {
    const messages = shallowRef<MessageView[]>([message('m9'), message('m10')]);
    const pages = [[message('m5'), message('m6')], [message('m1'), message('m2')]];
    const hasOlder = ref(true);
    let loads = 0;
    const target = ref<string | null>(null);
    const revealed: string[] = [];
    const jump = useJumpToMessage({
      target: () => target.value,
      messages,
      hasOlder,
      loading: ref(false),
      loadOlder: async () => {
        loads += 1;
        messages.value = [...pages.shift()!, ...messages.value];
        hasOlder.value = pages.length > 0;
      },
      reveal: (id) => revealed.push(id),
    });
    target.value = 'm2';
    await expect.poll(() => revealed).toEqual(['m2']);
    expect(jump.highlighted.value).toBe('m2');
    expect(loads).toBe(2);

    target.value = null;
    await nextTick();
    expect(jump.highlighted.value).toBeNull();
  });

  it('marks nothing when the message is not in the thread at all', async () => {
    const jump = useJumpToMessage({ target: () => 'gone', messages: shallowRef([message('m1')]), hasOlder: ref(false), loading: ref(false), loadOlder: async () => undefined, reveal: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(jump.highlighted.value).toBeNull();
  });
});

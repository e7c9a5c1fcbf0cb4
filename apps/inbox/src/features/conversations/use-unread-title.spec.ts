import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, ref } from 'vue';
import { useUnreadTitle } from './use-unread-title';

describe('unread count in the tab title', () => {
  it('shows the count while there are unread messages, and restores the title after', async () => {
    document.title = 'before';
    const unread = ref(0);
    const scope = effectScope();
    scope.run(() => useUnreadTitle(unread, 'Obrol Inbox'));
    expect(document.title).toBe('Obrol Inbox');
    unread.value = 3;
    await nextTick();
    expect(document.title).toBe('(3) Obrol Inbox');
    unread.value = 250;
    await nextTick();
    expect(document.title).toBe('(99+) Obrol Inbox');
    scope.stop();
    expect(document.title).toBe('before');
  });
});

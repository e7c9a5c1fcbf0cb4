import { type MaybeRefOrGetter, onScopeDispose, toValue, watchEffect } from 'vue';

/** "(3) Obrol Inbox": the browser tab says how many messages wait unread in the listed conversations. */
export function useUnreadTitle(unread: MaybeRefOrGetter<number>, title: MaybeRefOrGetter<string>) {
  const original = document.title;
  watchEffect(() => {
    const count = toValue(unread);
    document.title = count > 0 ? `(${count > 99 ? '99+' : count}) ${toValue(title)}` : toValue(title);
  });
  onScopeDispose(() => (document.title = original));
}

import { type MaybeRefOrGetter, computed, ref, shallowRef, toValue, watch } from 'vue';
import { fillCannedResponse } from './canned-responses.js';
import { useConnectionStore } from './connection.store.js';
import type { CannedResponseView, ContactView } from './views.js';

/** The team's canned responses, filled for the conversation's contact (name, phone, attributes). */
export function useCannedResponses(contactId: MaybeRefOrGetter<string | null>) {
  const connection = useConnectionStore();
  const all = ref<CannedResponseView[]>([]);
  const contact = shallowRef<ContactView | null>(null);

  void connection.api.listCannedResponses().then((items) => (all.value = items), () => undefined);
  watch(
    () => toValue(contactId),
    async (id) => {
      contact.value = null;
      if (!id) return;
      const loaded = await connection.api.getContact(id).catch(() => null);
      if (toValue(contactId) === id) contact.value = loaded;
    },
    { immediate: true },
  );

  return { choices: computed(() => all.value.map((c) => ({ shortcut: c.shortcut, text: fillCannedResponse(c.text, contact.value) }))) };
}

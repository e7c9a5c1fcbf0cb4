import { type MaybeRefOrGetter, ref, toValue, watch } from 'vue';
import { type ApiError, toApiError } from './api-error.js';
import { useConnectionStore } from './connection.store.js';
import { useRealtime } from './use-realtime.js';
import type { ContactActivity, ContactPatch, ContactView } from './views.js';

/**
 * One contact for the contact panel: the contact, its conversations and broadcasts received,
 * and edits (name, attributes, tags). Another agent's edit arrives live (`contact.updated`).
 */
export function useContact(contactId: MaybeRefOrGetter<string | null>) {
  const connection = useConnectionStore();
  const realtime = useRealtime();
  const contact = ref<ContactView | null>(null);
  const activity = ref<ContactActivity | null>(null);
  const loading = ref(false);
  const saving = ref(false);
  const error = ref<ApiError | null>(null);

  async function refresh(): Promise<void> {
    const id = toValue(contactId);
    if (!id) {
      contact.value = null;
      activity.value = null;
      return;
    }
    loading.value = true;
    error.value = null;
    try {
      const [loaded, history] = await Promise.all([connection.api.getContact(id), connection.api.contactActivity(id)]);
      if (toValue(contactId) !== id) return;
      contact.value = loaded;
      activity.value = history;
    } catch (e) {
      error.value = toApiError(e);
    } finally {
      loading.value = false;
    }
  }

  /** Saves an edit; a refused one leaves the contact as it was and its error in `error`. */
  async function update(patch: ContactPatch): Promise<boolean> {
    const id = toValue(contactId);
    if (!id) return false;
    saving.value = true;
    error.value = null;
    try {
      const updated = await connection.api.updateContact(id, patch);
      if (toValue(contactId) === id) contact.value = updated;
      return true;
    } catch (e) {
      error.value = toApiError(e);
      return false;
    } finally {
      saving.value = false;
    }
  }

  realtime.onEvent((event) => {
    if (event.type === 'contact.updated' && event.contactId === toValue(contactId)) contact.value = event.data.contact;
  });
  realtime.onReconnected(() => void refresh());
  watch(() => toValue(contactId), () => void refresh(), { immediate: true });

  return {
    contact,
    activity,
    loading,
    saving,
    error,
    refresh,
    update,
    rename: (name: string) => update({ name: name.trim() || null }),
    setAttribute: (key: string, value: string) => update({ attributes: { [key]: value } }),
    removeAttribute: (key: string) => update({ attributes: { [key]: null } }),
    addTag: (tag: string) => update({ addTags: [tag] }),
    removeTag: (tag: string) => update({ removeTags: [tag] }),
  };
}

import { defineStore, storeToRefs } from 'pinia';
import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { TagUsage } from './views.js';

/** Tags in use, shared by every tag input and filter of the app. */
const useTagsStore = defineStore('obrol/tags', () => {
  const connection = useConnectionStore();
  const tags = ref<TagUsage[]>([]);
  let loaded = false;

  async function reload(): Promise<void> {
    loaded = true;
    try {
      tags.value = await connection.api.listTags();
    } catch {
      // Suggestions are a help: without them the agent can still type a tag.
    }
  }

  return { tags, reload, loadOnce: () => (loaded ? undefined : void reload()) };
});

/**
 * Tags in use, for autocomplete while tagging and filtering: loaded on first use, and again
 * when `reload` is called (after the agent adds a tag), for every input and filter at once.
 */
export function useTagSuggestions() {
  const store = useTagsStore();
  store.loadOnce();
  return { tags: storeToRefs(store).tags, reload: store.reload };
}

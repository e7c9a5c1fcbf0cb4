import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { TagUsage } from './views.js';

/**
 * Tags in use, for autocomplete while tagging and filtering: loaded on first use and again
 * whenever `reload` is called (after the agent adds a tag). Suggestions are a help, so a failed
 * load leaves the list as it was.
 */
export function useTagSuggestions() {
  const connection = useConnectionStore();
  const tags = ref<TagUsage[]>([]);

  async function reload(): Promise<void> {
    try {
      tags.value = await connection.api.listTags();
    } catch {
      // Without suggestions the agent can still type a tag.
    }
  }

  void reload();
  return { tags, reload };
}

import type { ConversationFilters } from '@obrol/client';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

export type AssigneeFilter = 'all' | 'me' | 'none';
export type WindowFilter = 'all' | 'open' | 'closing' | 'closed';
/** `open` is unresolved and not snoozed: the default list. */
export type StatusFilter = 'all' | 'open' | 'snoozed' | 'resolved';

/** The list's filters, kept while the agent moves between conversations. */
export const useConversationFiltersStore = defineStore('conversationFilters', () => {
  const assignee = ref<AssigneeFilter>('all');
  const window = ref<WindowFilter>('all');
  const status = ref<StatusFilter>('open');
  const q = ref('');
  /** A tag of the conversation or of its contact; empty for any. */
  const tag = ref('');

  /** The filters in the API's terms. */
  const apiFilters = computed<ConversationFilters>(() => ({
    ...(assignee.value !== 'all' ? { assignee: assignee.value } : {}),
    ...(window.value !== 'all' ? { window: window.value } : {}),
    ...(status.value !== 'all' ? { status: status.value } : {}),
    ...(q.value.trim() ? { q: q.value.trim() } : {}),
    ...(tag.value ? { tag: tag.value } : {}),
  }));

  return { assignee, window, status, q, tag, apiFilters };
});

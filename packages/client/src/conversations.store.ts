import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useConnectionStore } from './connection.store.js';
import type { ConversationView } from './views.js';

/**
 * Every conversation the app has seen, by id: lists and threads read the same copy, and every
 * live view of a conversation updates it wherever it is shown.
 */
export const useConversationsStore = defineStore('obrol/conversations', () => {
  const byId = ref<Record<string, ConversationView>>({});

  function put(conversation: ConversationView): void {
    byId.value[conversation.id] = conversation;
  }

  useConnectionStore().realtime.onEvent((event) => {
    if (event.type === 'message.created' || event.type === 'conversation.updated') put(event.data.conversation);
  });

  return { byId, put };
});

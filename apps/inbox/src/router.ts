import { useSessionStore } from '@obrol/client';
import { createRouter, createWebHashHistory } from 'vue-router';
import LoginPage from './features/auth/LoginPage.vue';
import ConversationThread from './features/conversations/ConversationThread.vue';
import InboxPage from './features/conversations/InboxPage.vue';
import NoConversation from './features/conversations/NoConversation.vue';

/** Hash history, so the server needs no fallback route for the app's pages. */
export function createInboxRouter() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      {
        path: '/',
        component: InboxPage,
        children: [
          { path: '', name: 'inbox', component: NoConversation },
          { path: 'c/:id', name: 'conversation', component: ConversationThread, props: true },
        ],
      },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  });

  // Guards run inside the app's context, so the client's stores find the app's Pinia.
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSessionStore();
    const ok = await session.restore().catch(() => !!session.token);
    return ok ? true : { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  });
  return router;
}

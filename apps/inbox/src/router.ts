import { useSessionStore } from '@obrol/client';
import { createRouter, createWebHashHistory } from 'vue-router';
import LoginPage from './features/auth/LoginPage.vue';
import InboxPage from './features/conversations/InboxPage.vue';
import NoConversation from './features/conversations/NoConversation.vue';

/**
 * Hash history, so the server needs no fallback route for the app's pages. The thread, the
 * settings area and the password page load on first visit: the inbox's first screen (the
 * conversation list) does not wait for them.
 */
export function createInboxRouter() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/set-password/:token', name: 'set-password', component: () => import('./features/auth/SetPasswordPage.vue'), props: true, meta: { public: true } },
      {
        path: '/settings',
        component: () => import('./features/admin/AdminLayout.vue'),
        children: [
          { path: '', redirect: { name: 'account' } },
          { path: 'account', name: 'account', component: () => import('./features/admin/AccountPage.vue') },
          { path: 'channels', name: 'admin-channels', component: () => import('./features/admin/ChannelsPage.vue'), meta: { admin: true } },
          // Every agent reads the library; only admins change it (the page and the API both say so).
          { path: 'canned-responses', name: 'canned-responses', component: () => import('./features/admin/CannedResponsesPage.vue') },
          { path: 'templates', name: 'admin-templates', component: () => import('./features/admin/TemplatesPage.vue'), meta: { admin: true } },
          { path: 'agents', name: 'admin-agents', component: () => import('./features/admin/AgentsPage.vue'), meta: { admin: true } },
          { path: 'api-keys', name: 'admin-api-keys', component: () => import('./features/admin/ApiKeysPage.vue'), meta: { admin: true } },
          { path: 'webhooks', name: 'admin-webhooks', component: () => import('./features/admin/WebhooksPage.vue'), meta: { admin: true } },
        ],
      },
      {
        path: '/',
        component: InboxPage,
        children: [
          { path: '', name: 'inbox', component: NoConversation },
          { path: 'c/:id', name: 'conversation', component: () => import('./features/conversations/ConversationThread.vue'), props: true },
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
    if (!ok) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    // The admin area is for admins; the server refuses the rest anyway.
    if (to.meta.admin && session.agent?.role !== 'admin') return { name: 'account' };
    return true;
  });
  return router;
}

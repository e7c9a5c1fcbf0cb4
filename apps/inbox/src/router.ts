import { useSessionStore } from '@obrol/client';
import { createRouter, createWebHashHistory } from 'vue-router';
import AccountPage from './features/admin/AccountPage.vue';
import AdminLayout from './features/admin/AdminLayout.vue';
import AgentsPage from './features/admin/AgentsPage.vue';
import ApiKeysPage from './features/admin/ApiKeysPage.vue';
import ChannelsPage from './features/admin/ChannelsPage.vue';
import TemplatesPage from './features/admin/TemplatesPage.vue';
import WebhooksPage from './features/admin/WebhooksPage.vue';
import LoginPage from './features/auth/LoginPage.vue';
import SetPasswordPage from './features/auth/SetPasswordPage.vue';
import ConversationThread from './features/conversations/ConversationThread.vue';
import InboxPage from './features/conversations/InboxPage.vue';
import NoConversation from './features/conversations/NoConversation.vue';

/** Hash history, so the server needs no fallback route for the app's pages. */
export function createInboxRouter() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/set-password/:token', name: 'set-password', component: SetPasswordPage, props: true, meta: { public: true } },
      {
        path: '/settings',
        component: AdminLayout,
        children: [
          { path: '', redirect: { name: 'account' } },
          { path: 'account', name: 'account', component: AccountPage },
          { path: 'channels', name: 'admin-channels', component: ChannelsPage, meta: { admin: true } },
          { path: 'templates', name: 'admin-templates', component: TemplatesPage, meta: { admin: true } },
          { path: 'agents', name: 'admin-agents', component: AgentsPage, meta: { admin: true } },
          { path: 'api-keys', name: 'admin-api-keys', component: ApiKeysPage, meta: { admin: true } },
          { path: 'webhooks', name: 'admin-webhooks', component: WebhooksPage, meta: { admin: true } },
        ],
      },
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
    if (!ok) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    // The admin area is for admins; the server refuses the rest anyway.
    if (to.meta.admin && session.agent?.role !== 'admin') return { name: 'account' };
    return true;
  });
  return router;
}

import { useSessionStore } from '@obrol/client';
import { LoginPage } from '@obrol/ui/app';
import { createRouter, createWebHashHistory } from 'vue-router';
import BroadcastsPage from './features/list/BroadcastsPage.vue';
import WizardPage from './features/wizard/WizardPage.vue';

/** Hash history, so the server needs no fallback route for the app's pages. */
export function createBroadcastRouter() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      { path: '/', name: 'broadcasts', component: BroadcastsPage },
      { path: '/new', name: 'new', component: WizardPage },
      { path: '/opt-outs', name: 'opt-outs', component: () => import('./features/opt-outs/OptOutsPage.vue') },
      { path: '/b/:id/edit/:step?', name: 'edit', component: WizardPage, props: true },
      // The live page carries the chart: loaded only when opened, so the list and wizard stay small.
      { path: '/b/:id', name: 'live', component: () => import('./features/live/LivePage.vue'), props: true },
      { path: '/:rest(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSessionStore();
    const ok = await session.restore().catch(() => !!session.token);
    return ok ? true : { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  });
  return router;
}

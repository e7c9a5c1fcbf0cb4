import { createObrolPinia } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createAppI18n } from './i18n';
import LoginPage from './LoginPage.vue';

const texts = { app: { title: 'Obrol Test' }, login: { title: 'Sign in to test' } };

/** The shared page in an app with its own title, against a server that knows one password. */
async function setup(locale: 'en' | 'id' = 'en') {
  const fetch = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const { password } = JSON.parse(String(init?.body)) as { password: string };
    if (password !== 'right password') return new Response(JSON.stringify({ code: 'UNAUTHENTICATED', message: 'Invalid credentials.' }), { status: 401 });
    const agent = { id: 'a1', name: 'Ayu', email: 'ayu@example.test', role: 'marketer', locale: 'id' };
    return new Response(JSON.stringify({ token: 'tok', expiresAt: '2026-12-01T00:00:00.000Z', agent }), { status: 200 });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/login', component: LoginPage }, { path: '/', component: { template: '<p>home</p>' } }, { path: '/b/1', component: { template: '<p>b1</p>' } }] });
  await router.push('/login?redirect=/b/1&email=ayu@example.test');
  const i18n = createAppI18n({ en: texts, id: texts }, locale);
  const w = mount(LoginPage, { global: { plugins: [pinia, router, i18n] }, slots: { default: '<p data-testid="notice">Password set</p>' } });
  return { w, router, i18n };
}

describe('LoginPage (shared)', () => {
  it('shows the app’s own titles and notice above the shared form', async () => {
    const { w } = await setup();
    expect(w.find('h1').text()).toBe('Obrol Test');
    expect(w.text()).toContain('Sign in to test');
    expect(w.find('[data-testid="notice"]').exists()).toBe(true);
    expect((w.find('[data-testid="login-email"]').element as HTMLInputElement).value).toBe('ayu@example.test');
  });

  it('says a wrong password in the page’s language', async () => {
    const { w } = await setup('id');
    await w.find('[data-testid="login-password"]').setValue('wrong');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="login-error"]').text()).toBe('Email atau kata sandi salah.');
  });

  it('signs in, takes the agent’s chosen language and opens the page they were sent away from', async () => {
    const { w, router, i18n } = await setup('en');
    await w.find('[data-testid="login-password"]').setValue('right password');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(router.currentRoute.value.fullPath).toBe('/b/1');
    expect(i18n.global.locale.value).toBe('id');
  });
});

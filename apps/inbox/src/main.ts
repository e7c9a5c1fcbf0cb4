import { createObrol } from '@obrol/client';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createInboxI18n } from './i18n';
import { createInboxRouter } from './router';
import './styles.css';

// The API is same-origin: the server serves this app at `/` (and `vite dev` proxies /api).
const obrol = createObrol({ tokenStorage: sessionStorage });

createApp(App).use(obrol).use(createPinia()).use(createInboxI18n()).use(createInboxRouter()).mount('#app');

import { createObrolPinia } from '@obrol/client';
import { createApp } from 'vue';
import App from './App.vue';
import { createInboxI18n } from './i18n';
import { createInboxRouter } from './router';
import '@obrol/ui/base.css';
import './styles.css';

// The API is same-origin: the server serves this app at `/` (and `vite dev` proxies /api).
createApp(App).use(createObrolPinia({ tokenStorage: sessionStorage })).use(createInboxI18n()).use(createInboxRouter()).mount('#app');

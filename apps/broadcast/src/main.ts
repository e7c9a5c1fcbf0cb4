import { createObrolPinia } from '@obrol/client';
import { createApp } from 'vue';
import App from './App.vue';
import { createBroadcastI18n } from './i18n';
import { createBroadcastRouter } from './router';
import '@obrol/ui/base.css';
import './styles.css';

// Same origin as the inbox, and the same tab storage for the token: an agent signed in there is signed in here.
createApp(App).use(createObrolPinia({ tokenStorage: sessionStorage })).use(createBroadcastI18n()).use(createBroadcastRouter()).mount('#app');

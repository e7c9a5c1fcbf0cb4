import { type Pinia, createPinia, defineStore, getActivePinia } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import { ApiClient, type XhrLike } from './api-client.js';
import { type RealtimeStatus, RealtimeClient, type SocketLike, realtimeUrl } from './realtime-client.js';
import { useSessionStore } from './session.store.js';

/** Where the session token survives a reload; `sessionStorage` in the browser apps. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ObrolOptions {
  /** Origin of the server; '' (default) for same-origin. */
  baseUrl?: string;
  /** `ws(s)://…/api/v1/realtime`; derived from `baseUrl` or the page's location. */
  realtimeUrl?: string;
  /** Defaults to `sessionStorage` where there is one; `null` keeps the token in memory only. */
  tokenStorage?: TokenStorage | null;
  fetch?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
  /** For upload progress; defaults to the browser's XMLHttpRequest. */
  createXhr?: () => XhrLike;
}

interface Connection {
  api: ApiClient;
  realtime: RealtimeClient;
  tokenStorage: TokenStorage | null;
}

/**
 * The app's connection to the server: the REST client, the realtime socket and where the token
 * is kept. Configured once, before any other store of the client is used.
 */
export const useConnectionStore = defineStore('obrol/connection', () => {
  const pinia = getActivePinia() as Pinia;
  const connection = shallowRef<Connection | null>(null);
  const realtimeStatus = ref<RealtimeStatus>('idle');

  function configure(options: ObrolOptions = {}): void {
    if (connection.value) throw new Error('The Obrol client is already configured; configure it once, before using its stores.');
    const tokenStorage = options.tokenStorage === undefined ? (typeof sessionStorage === 'undefined' ? null : sessionStorage) : options.tokenStorage;
    // The session store reads its token through this connection, so it is looked up lazily.
    const session = () => useSessionStore(pinia);
    const api = new ApiClient({ baseUrl: options.baseUrl, fetch: options.fetch, createXhr: options.createXhr, getToken: () => session().token, onUnauthenticated: () => session().clear() });
    const wsUrl = options.realtimeUrl ?? realtimeUrl(options.baseUrl || (typeof location === 'undefined' ? 'http://localhost' : location.origin));
    const realtime = new RealtimeClient({ url: wsUrl, getToken: () => session().token, createSocket: options.createSocket });
    realtime.onStatus((status) => (realtimeStatus.value = status));
    connection.value = markRaw({ api: markRaw(api), realtime: markRaw(realtime), tokenStorage });
  }

  function required(): Connection {
    if (!connection.value) throw new Error('No Obrol client: create the app\'s Pinia with createObrolPinia(options) before using its stores.');
    return connection.value;
  }

  return {
    realtimeStatus,
    configure,
    api: computed(() => required().api),
    realtime: computed(() => required().realtime),
    tokenStorage: computed(() => required().tokenStorage),
  };
});

/** The app's Pinia with the client configured: `app.use(createObrolPinia({ tokenStorage: sessionStorage }))`. */
export function createObrolPinia(options: ObrolOptions = {}): Pinia {
  const pinia = createPinia();
  useConnectionStore(pinia).configure(options);
  return pinia;
}

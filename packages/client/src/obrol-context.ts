import { type App, type InjectionKey, type Ref, inject, ref, shallowReactive } from 'vue';
import { ApiClient } from './api-client.js';
import { type RealtimeStatus, RealtimeClient, type SocketLike, realtimeUrl } from './realtime-client.js';
import type { AgentView, ConversationView } from './views.js';

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
  tokenStorage?: TokenStorage | null;
  fetch?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
}

/**
 * The state the composables share, one per app: the session, the conversations seen so far
 * (by id, kept fresh by live events) and the object URLs of fetched media. Plain reactive
 * state, not Pinia: the composables are the only way in, and an app may add Pinia stores
 * of its own on top.
 */
export interface ObrolContext {
  api: ApiClient;
  realtime: RealtimeClient;
  token: Ref<string | null>;
  agent: Ref<AgentView | null>;
  realtimeStatus: Ref<RealtimeStatus>;
  conversations: Map<string, ConversationView>;
  media: Map<string, string | 'loading' | 'error'>;
  tokenStorage: TokenStorage | null;
  install(app: App): void;
}

export const OBROL_KEY: InjectionKey<ObrolContext> = Symbol('obrol');
export const TOKEN_KEY = 'obrol.token';

/** Creates the client state; `app.use(obrol)` makes it available to the composables. */
export function createObrol(options: ObrolOptions = {}): ObrolContext {
  const tokenStorage = options.tokenStorage === undefined ? (typeof sessionStorage === 'undefined' ? null : sessionStorage) : options.tokenStorage;
  const token = ref<string | null>(tokenStorage?.getItem(TOKEN_KEY) ?? null);
  const agent = ref<AgentView | null>(null);
  const conversations = shallowReactive(new Map<string, ConversationView>());
  const media = shallowReactive(new Map<string, string | 'loading' | 'error'>());
  const realtimeStatus = ref<RealtimeStatus>('idle');

  const clearSession = () => {
    token.value = null;
    agent.value = null;
    tokenStorage?.removeItem(TOKEN_KEY);
    realtime.disconnect();
  };
  const api = new ApiClient({ baseUrl: options.baseUrl, fetch: options.fetch, getToken: () => token.value, onUnauthenticated: clearSession });
  const wsUrl = options.realtimeUrl ?? realtimeUrl(options.baseUrl || (typeof location === 'undefined' ? 'http://localhost' : location.origin));
  const realtime = new RealtimeClient({ url: wsUrl, getToken: () => token.value, createSocket: options.createSocket });
  realtime.onStatus((s) => (realtimeStatus.value = s));
  // Every live view of a conversation updates the shared copy, wherever it is shown.
  realtime.onEvent((event) => {
    if (event.type === 'message.created' || event.type === 'conversation.updated') conversations.set(event.data.conversation.id, event.data.conversation);
  });

  return {
    api,
    realtime,
    token,
    agent,
    realtimeStatus,
    conversations,
    media,
    tokenStorage,
    install(app: App) {
      app.provide(OBROL_KEY, this);
    },
  };
}

export function useObrol(): ObrolContext {
  const context = inject(OBROL_KEY, null);
  if (!context) throw new Error('No Obrol client: call app.use(createObrol()) before using its composables.');
  return context;
}

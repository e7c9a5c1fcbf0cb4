import type { MessageView } from '@obrol/contracts';
import { ApiError } from './api-error.js';
import type { ConversationFilters, ConversationPatch, ConversationView, LoginResult, Me, Page, SendMessageInput, TemplateView } from './views.js';
import type {
  AccountCheckView,
  AccountPatch,
  AgentInput,
  AgentPatch,
  AgentView,
  ApiKeyInput,
  ApiKeyView,
  ChannelAccountView,
  ChannelInput,
  ChannelPatch,
  ChannelPluginView,
  PasswordLink,
  PasswordLinkInfo,
  TemplateDraft,
  TemplateProblem,
  TemplateRegistration,
  TemplateSyncResult,
  WebhookDeliveryStatus,
  WebhookDeliveryView,
  WebhookEndpointInput,
  WebhookEndpointPatch,
  WebhookEndpointView,
  WebhookEventType,
} from './views.js';

export interface ApiClientOptions {
  /** Origin (and path prefix) of the server; '' for same-origin. */
  baseUrl?: string;
  /** The current bearer token, read on every request. */
  getToken: () => string | null;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Called when the API refuses the token (expired or revoked session). */
  onUnauthenticated?: () => void;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

type Query = Record<string, string | number | undefined | null>;

/** Typed calls of Obrol's REST API (`/api/v1`). Every failure is thrown as an {@link ApiError}. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  login(email: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/auth/login', { body: { email, password } });
  }

  logout(): Promise<void> {
    return this.request('POST', '/auth/logout');
  }

  me(): Promise<Me> {
    return this.request('GET', '/me');
  }

  listConversations(filters: ConversationFilters = {}, page: PageQuery = {}): Promise<Page<ConversationView>> {
    return this.request('GET', '/conversations', { query: { ...filters, q: filters.q?.trim() || undefined, ...page } });
  }

  getConversation(id: string): Promise<ConversationView> {
    return this.request('GET', `/conversations/${encodeURIComponent(id)}`);
  }

  updateConversation(id: string, patch: ConversationPatch): Promise<ConversationView> {
    return this.request('PATCH', `/conversations/${encodeURIComponent(id)}`, { body: patch });
  }

  /** Messages of a conversation; `desc` (newest first) by default, as the API pages them. */
  listMessages(conversationId: string, page: PageQuery & { order?: 'asc' | 'desc' } = {}): Promise<Page<MessageView>> {
    return this.request('GET', `/conversations/${encodeURIComponent(conversationId)}/messages`, { query: { ...page } });
  }

  /** Queues a session message or a template; the answer is the stored message (status `queued`). */
  sendMessage(conversationId: string, input: SendMessageInput): Promise<MessageView> {
    return this.request('POST', `/conversations/${encodeURIComponent(conversationId)}/messages`, { body: input });
  }

  /** Tells the server the agent is typing; `sent: false` (with a reason) when the channel shows nothing. */
  sendTypingIndicator(conversationId: string): Promise<{ sent: boolean; reason?: string }> {
    return this.request('POST', `/conversations/${encodeURIComponent(conversationId)}/typing`);
  }

  /** The demo's customer page while the demo channel runs; nulls when it does not (or on a server without one). */
  async demo(): Promise<{ customerPageUrl: string | null; customerPagePort: number | null }> {
    try {
      return await this.request('GET', '/demo');
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 404) return { customerPageUrl: null, customerPagePort: null };
      throw error;
    }
  }

  listTemplates(channelAccountId: string, query: { status?: string; q?: string } = {}): Promise<TemplateView[]> {
    return this.request<{ items: TemplateView[] }>('GET', `/channels/${encodeURIComponent(channelAccountId)}/templates`, { query }).then((r) => r.items);
  }

  /**
   * The bytes of a stored media file, fetched with the bearer token (the media route reads
   * the Authorization header only); show it through `URL.createObjectURL`.
   */
  async mediaBlob(mediaId: string): Promise<Blob> {
    const token = this.options.getToken();
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/v1/media/${encodeURIComponent(mediaId)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch (error) {
      throw new ApiError('NETWORK_ERROR', `The server could not be reached (${error instanceof Error ? error.message : String(error)}).`, 0);
    }
    if (!response.ok) throw await ApiError.fromResponse(response);
    return response.blob();
  }

  // —— My account ——

  updateMe(patch: AccountPatch): Promise<AgentView> {
    return this.request('PATCH', '/me', { body: patch });
  }

  /** Needs the current password; the server ends the agent's other sessions. */
  changePassword(currentPassword: string, newPassword: string): Promise<void> {
    return this.request('POST', '/me/password', { body: { currentPassword, newPassword } });
  }

  /** Who a one-time set-password link is for (no token needed). */
  passwordLink(token: string): Promise<PasswordLinkInfo> {
    return this.request('GET', `/password-links/${encodeURIComponent(token)}`);
  }

  usePasswordLink(token: string, password: string): Promise<{ email: string }> {
    return this.request('POST', `/password-links/${encodeURIComponent(token)}`, { body: { password } });
  }

  // —— Admin: agents ——

  listAgents(): Promise<AgentView[]> {
    return this.request<{ items: AgentView[] }>('GET', '/agents').then((r) => r.items);
  }

  /** Without a password the agent is invited: the answer carries a one-time set-password link. */
  createAgent(input: AgentInput): Promise<AgentView & { setPasswordLink?: PasswordLink }> {
    return this.request('POST', '/agents', { body: input });
  }

  updateAgent(id: string, patch: AgentPatch): Promise<AgentView> {
    return this.request('PATCH', `/agents/${encodeURIComponent(id)}`, { body: patch });
  }

  /** A one-time link where the agent sets a new password. */
  resetAgentPassword(id: string): Promise<PasswordLink> {
    return this.request('POST', `/agents/${encodeURIComponent(id)}/password-link`);
  }

  // —— Admin: API keys ——

  listApiKeys(): Promise<ApiKeyView[]> {
    return this.request<{ items: ApiKeyView[] }>('GET', '/api-keys').then((r) => r.items);
  }

  /** The answer's `key` is shown only now. */
  createApiKey(input: ApiKeyInput): Promise<ApiKeyView & { key: string }> {
    return this.request('POST', '/api-keys', { body: input });
  }

  revokeApiKey(id: string): Promise<void> {
    return this.request('DELETE', `/api-keys/${encodeURIComponent(id)}`);
  }

  // —— Admin: channels ——

  listChannelPlugins(): Promise<ChannelPluginView[]> {
    return this.request<{ items: ChannelPluginView[] }>('GET', '/channel-plugins').then((r) => r.items);
  }

  listChannels(): Promise<ChannelAccountView[]> {
    return this.request<{ items: ChannelAccountView[] }>('GET', '/channels').then((r) => r.items);
  }

  /** "Test connection": checks a configuration with the provider, saving nothing. */
  checkChannelConfig(pluginId: string, config: Record<string, unknown>): Promise<AccountCheckView> {
    return this.request('POST', `/channel-plugins/${encodeURIComponent(pluginId)}/check`, { body: { config } });
  }

  createChannel(input: ChannelInput): Promise<ChannelAccountView> {
    return this.request('POST', '/channels', { body: input });
  }

  updateChannel(id: string, patch: ChannelPatch): Promise<ChannelAccountView> {
    return this.request('PATCH', `/channels/${encodeURIComponent(id)}`, { body: patch });
  }

  /** Checks the account's credentials again and refreshes its health. */
  recheckChannel(id: string): Promise<ChannelAccountView> {
    return this.request('POST', `/channels/${encodeURIComponent(id)}/check`);
  }

  // —— Admin: templates ——

  syncTemplates(channelAccountId: string): Promise<TemplateSyncResult> {
    return this.request('POST', `/channels/${encodeURIComponent(channelAccountId)}/templates/sync`);
  }

  lintTemplate(channelAccountId: string, draft: unknown): Promise<TemplateProblem[]> {
    return this.request<{ problems: TemplateProblem[] }>('POST', `/channels/${encodeURIComponent(channelAccountId)}/templates/lint`, { body: { draft } }).then((r) => r.problems);
  }

  createTemplate(channelAccountId: string, draft: TemplateDraft): Promise<TemplateView> {
    return this.request('POST', `/channels/${encodeURIComponent(channelAccountId)}/templates`, { body: draft });
  }

  /** Edits a rejected, paused or approved template in place and resubmits it (same name and language). */
  updateTemplate(channelAccountId: string, templateId: string, draft: TemplateDraft): Promise<TemplateView> {
    return this.request('PUT', `/channels/${encodeURIComponent(channelAccountId)}/templates/${encodeURIComponent(templateId)}`, { body: draft });
  }

  registerTemplate(channelAccountId: string, input: TemplateRegistration): Promise<TemplateView> {
    return this.request('POST', `/channels/${encodeURIComponent(channelAccountId)}/templates/register`, { body: input });
  }

  deleteTemplate(channelAccountId: string, templateId: string): Promise<{ scope: 'language' | 'name'; name: string; deleted: { id: string; language: string }[] }> {
    return this.request('DELETE', `/channels/${encodeURIComponent(channelAccountId)}/templates/${encodeURIComponent(templateId)}`);
  }

  // —— Admin: outbound webhooks ——

  listWebhookEvents(): Promise<WebhookEventType[]> {
    return this.request<{ data: WebhookEventType[] }>('GET', '/webhook-events').then((r) => r.data);
  }

  listWebhookEndpoints(): Promise<WebhookEndpointView[]> {
    return this.request<{ data: WebhookEndpointView[] }>('GET', '/webhook-endpoints').then((r) => r.data);
  }

  /** The answer's `secret` is shown only now. */
  createWebhookEndpoint(input: WebhookEndpointInput): Promise<WebhookEndpointView & { secret: string }> {
    return this.request('POST', '/webhook-endpoints', { body: input });
  }

  updateWebhookEndpoint(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointView> {
    return this.request('PATCH', `/webhook-endpoints/${encodeURIComponent(id)}`, { body: patch });
  }

  deleteWebhookEndpoint(id: string): Promise<void> {
    return this.request('DELETE', `/webhook-endpoints/${encodeURIComponent(id)}`);
  }

  rotateWebhookSecret(id: string): Promise<{ secret: string }> {
    return this.request('POST', `/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`);
  }

  testWebhookEndpoint(id: string): Promise<unknown> {
    return this.request('POST', `/webhook-endpoints/${encodeURIComponent(id)}/test`);
  }

  listWebhookDeliveries(endpointId: string, query: { status?: WebhookDeliveryStatus; cursor?: string } = {}): Promise<{ data: WebhookDeliveryView[]; nextCursor: string | null }> {
    return this.request('GET', `/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`, { query });
  }

  replayWebhookDelivery(id: string): Promise<unknown> {
    return this.request('POST', `/webhook-deliveries/${encodeURIComponent(id)}/replay`);
  }

  /** Every item of a paged list, following `nextCursor` (stops after `maxPages`). */
  async *pages<T>(load: (cursor: string | undefined) => Promise<Page<T>>, maxPages = 100): AsyncGenerator<T[]> {
    let cursor: string | undefined;
    for (let n = 0; n < maxPages; n++) {
      const page = await load(cursor);
      yield page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  private async request<T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const url = `${this.baseUrl}/api/v1${path}${queryString(init.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    } catch (error) {
      throw new ApiError('NETWORK_ERROR', `The server could not be reached (${error instanceof Error ? error.message : String(error)}).`, 0);
    }
    if (!response.ok) {
      const error = await ApiError.fromResponse(response);
      if (response.status === 401 && token) this.options.onUnauthenticated?.();
      throw error;
    }
    if (response.status === 204) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError('BAD_RESPONSE', 'The server answered with something that is not JSON.', response.status);
    }
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

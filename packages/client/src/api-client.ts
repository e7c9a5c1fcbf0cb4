import type { MessageSearchHit, MessageView, WebhookDeliveryDetail, WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView, WebhookEventType } from '@obrol/contracts';
import { ApiError } from './api-error.js';

/** One entry of the opt-out register (GET /api/v1/opt-outs). */
export interface OptOutView {
  contactId: string;
  channelAccountId: string;
  phone: string | null;
  name: string | null;
  optedOutAt: string;
  source: 'keyword' | 'button' | 'meta' | 'agent' | 'api' | null;
  reason: string | null;
}
import type {
  AudienceImport,
  BroadcastDraft,
  BroadcastEstimate,
  BroadcastPreview,
  BroadcastStatus,
  BroadcastValidation,
  BroadcastView,
  FailureGroups,
  RecipientStatus,
  RecipientView,
  ScheduleInput,
} from './broadcast-views.js';
import type {
  AccountCheckView,
  AccountPatch,
  AgentInput,
  AgentPatch,
  AgentView,
  ApiKeyInput,
  ApiKeyView,
  ChannelInput,
  ChannelPatch,
  ChannelPluginView,
  PasswordLink,
  PasswordLinkInfo,
  TemplateDraft,
  TemplateProblem,
  TemplateRegistration,
  TemplateSyncResult,
} from './views.js';
import type { AgentPresence, CannedResponseInput, CannedResponseView, ChannelAccountView, ContactActivity, ContactPatch, ContactView, ConversationFilters, ConversationPatch, ConversationView, LoginResult, Me, NoteInput, NoteView, Page, SendMessageInput, TagUsage, TeammateView, TemplateView } from './views.js';

export interface ApiClientOptions {
  /** Origin (and path prefix) of the server; '' for same-origin. */
  baseUrl?: string;
  /** The current bearer token, read on every request. */
  getToken: () => string | null;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Called when the API refuses the token (expired or revoked session). */
  onUnauthenticated?: () => void;
  /** Makes the request uploads use, for their progress; defaults to the browser's XMLHttpRequest (fetch reports none). */
  createXhr?: () => XhrLike;
}

/** The part of XMLHttpRequest an upload uses (a fake one in tests). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  readonly status: number;
  readonly responseText: string;
  upload: { onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
}

/** A stored file, ready to send by `mediaId`. */
export interface UploadedMedia {
  mediaId: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  filename: string | null;
}

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** A new outbound webhook endpoint: events are names from `listWebhookEvents()`, `aggregate.*` or `*`. */
export interface WebhookEndpointInput {
  url: string;
  events: string[];
  description?: string;
}

export interface WebhookEndpointPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
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

  getContact(contactId: string): Promise<ContactView> {
    return this.request('GET', `/contacts/${encodeURIComponent(contactId)}`);
  }

  updateContact(contactId: string, patch: ContactPatch): Promise<ContactView> {
    return this.request('PATCH', `/contacts/${encodeURIComponent(contactId)}`, { body: patch });
  }

  /** The contact's conversations (by phone, across my inboxes) and the broadcasts it received. */
  contactActivity(contactId: string): Promise<ContactActivity> {
    return this.request('GET', `/contacts/${encodeURIComponent(contactId)}/activity`);
  }

  /** Tags in use on conversations and contacts, most used first; `q` narrows to those starting with it. */
  async listTags(q?: string): Promise<TagUsage[]> {
    return (await this.request<{ items: TagUsage[] }>('GET', '/tags', { query: { q: q?.trim() || undefined } })).items;
  }

  /** The team's canned responses (text with `{{contact.…}}` placeholders). */
  listCannedResponses(): Promise<CannedResponseView[]> {
    return this.request<{ items: CannedResponseView[] }>('GET', '/canned-responses').then((r) => r.items);
  }

  /** Admins only; a shortcut already taken is refused with `CONFLICT`. */
  createCannedResponse(input: CannedResponseInput): Promise<CannedResponseView> {
    return this.request('POST', '/canned-responses', { body: input });
  }

  updateCannedResponse(id: string, patch: Partial<CannedResponseInput>): Promise<CannedResponseView> {
    return this.request('PATCH', `/canned-responses/${encodeURIComponent(id)}`, { body: patch });
  }

  deleteCannedResponse(id: string): Promise<void> {
    return this.request('DELETE', `/canned-responses/${encodeURIComponent(id)}`);
  }

  getChannel(channelAccountId: string): Promise<ChannelAccountView> {
    return this.request('GET', `/channels/${encodeURIComponent(channelAccountId)}`);
  }

  /**
   * Uploads a file to send on a channel (multipart/form-data), reporting progress as a fraction
   * 0..1 where the browser can; the channel's limits are checked by the server too.
   */
  async uploadMedia(channelAccountId: string, file: Blob, filename: string | undefined, onProgress?: (fraction: number) => void): Promise<UploadedMedia> {
    const form = new FormData();
    form.append('file', file, filename ?? 'file');
    const url = `${this.baseUrl}/api/v1/media?channelAccountId=${encodeURIComponent(channelAccountId)}`;
    const token = this.options.getToken();
    const create = this.options.createXhr ?? (typeof XMLHttpRequest === 'undefined' ? null : () => new XMLHttpRequest() as unknown as XhrLike);
    let response: Response;
    if (create) {
      response = await new Promise<Response>((resolve, reject) => {
        const xhr = create();
        xhr.open('POST', url);
        xhr.setRequestHeader('accept', 'application/json');
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) onProgress?.(Math.min(1, event.loaded / event.total));
        };
        xhr.onload = () => resolve(new Response(xhr.responseText || null, { status: xhr.status }));
        xhr.onerror = () => reject(new ApiError('NETWORK_ERROR', 'The server could not be reached while uploading.', 0));
        xhr.send(form);
      });
    } else {
      try {
        response = await this.fetchImpl(url, { method: 'POST', headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: form });
      } catch (error) {
        throw new ApiError('NETWORK_ERROR', `The server could not be reached (${error instanceof Error ? error.message : String(error)}).`, 0);
      }
    }
    if (!response.ok) {
      const error = await ApiError.fromResponse(response);
      if (response.status === 401 && token) this.options.onUnauthenticated?.();
      throw error;
    }
    onProgress?.(1);
    return (await response.json()) as UploadedMedia;
  }

  /** Teammates of the caller's inboxes, with their presence (to assign, hand over and mention). */
  listTeam(): Promise<TeammateView[]> {
    return this.request<{ items: TeammateView[] }>('GET', '/team').then((r) => r.items);
  }

  /** The agent sets themselves online (auto-assignment gives them conversations) or away. */
  setPresence(presence: AgentPresence): Promise<TeammateView> {
    return this.request('PUT', '/me/presence', { body: { presence } });
  }

  listNotes(conversationId: string): Promise<NoteView[]> {
    return this.request<{ items: NoteView[] }>('GET', `/conversations/${encodeURIComponent(conversationId)}/notes`).then((r) => r.items);
  }

  /** A private note (never sent to the customer); mentioned agents are notified. */
  addNote(conversationId: string, input: NoteInput): Promise<NoteView> {
    return this.request('POST', `/conversations/${encodeURIComponent(conversationId)}/notes`, { body: input });
  }

  /** Messages of a conversation; `desc` (newest first) by default, as the API pages them. */
  /** Messages matching `q` (words by prefix, or a phone number in any format) in the caller's inboxes, newest first. */
  searchMessages(q: string, page: PageQuery = {}): Promise<Page<MessageSearchHit>> {
    return this.request('GET', '/search/messages', { query: { q: q.trim(), ...page } });
  }

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

  /** The events an outbound webhook endpoint can subscribe to (admins). */
  listWebhookEvents(): Promise<WebhookEventType[]> {
    return this.request<{ data: WebhookEventType[] }>('GET', '/webhook-events').then((r) => r.data);
  }

  listWebhookEndpoints(): Promise<WebhookEndpointView[]> {
    return this.request<{ data: WebhookEndpointView[] }>('GET', '/webhook-endpoints').then((r) => r.data);
  }

  /** Registers an endpoint; the answer's `secret` is shown only this once. */
  createWebhookEndpoint(input: WebhookEndpointInput): Promise<WebhookEndpointView & { secret: string }> {
    return this.request('POST', '/webhook-endpoints', { body: input });
  }

  getWebhookEndpoint(id: string): Promise<WebhookEndpointView> {
    return this.request('GET', `/webhook-endpoints/${encodeURIComponent(id)}`);
  }

  updateWebhookEndpoint(id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpointView> {
    return this.request('PATCH', `/webhook-endpoints/${encodeURIComponent(id)}`, { body: patch });
  }

  deleteWebhookEndpoint(id: string): Promise<void> {
    return this.request('DELETE', `/webhook-endpoints/${encodeURIComponent(id)}`);
  }

  /** A new signing secret replaces the old one at once; shown only this once. */
  rotateWebhookSecret(id: string): Promise<{ secret: string }> {
    return this.request('POST', `/webhook-endpoints/${encodeURIComponent(id)}/rotate-secret`);
  }

  /** Sends a signed `ping` now and answers with how the receiver took it. */
  testWebhookEndpoint(id: string): Promise<WebhookDeliveryView> {
    return this.request('POST', `/webhook-endpoints/${encodeURIComponent(id)}/test`);
  }

  /** An endpoint's deliveries, newest first. */
  listWebhookDeliveries(endpointId: string, query: { status?: WebhookDeliveryStatus } & PageQuery = {}): Promise<{ data: WebhookDeliveryView[]; nextCursor: string | null }> {
    return this.request('GET', `/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries`, { query: { ...query } });
  }

  getWebhookDelivery(id: string): Promise<WebhookDeliveryDetail> {
    return this.request('GET', `/webhook-deliveries/${encodeURIComponent(id)}`);
  }

  /** Sends a delivery again now, whatever its state, and answers with the outcome. */
  replayWebhookDelivery(id: string): Promise<WebhookDeliveryDetail> {
    return this.request('POST', `/webhook-deliveries/${encodeURIComponent(id)}/replay`);
  }

  listChannels(): Promise<ChannelAccountView[]> {
    return this.request<{ items: ChannelAccountView[] }>('GET', '/channels').then((r) => r.items);
  }

  listBroadcasts(filters: { status?: BroadcastStatus } = {}, page: PageQuery = {}): Promise<Page<BroadcastView>> {
    return this.request('GET', '/broadcasts', { query: { ...filters, ...page } });
  }

  getBroadcast(id: string): Promise<BroadcastView> {
    return this.request('GET', `/broadcasts/${encodeURIComponent(id)}`);
  }

  createBroadcast(input: BroadcastDraft & { channelAccountId: string }): Promise<BroadcastView> {
    return this.request('POST', '/broadcasts', { body: input });
  }

  /** Only a draft can be changed. */
  updateBroadcast(id: string, patch: Partial<BroadcastDraft>): Promise<BroadcastView> {
    return this.request('PATCH', `/broadcasts/${encodeURIComponent(id)}`, { body: patch });
  }

  /**
   * Uploads the audience CSV. With `onProgress` and an XMLHttpRequest (browsers), the upload's
   * progress is reported as a fraction; fetch cannot report it.
   */
  importAudience(id: string, csv: Blob | string, onProgress?: (fraction: number) => void): Promise<AudienceImport> {
    const path = `/broadcasts/${encodeURIComponent(id)}/audience`;
    if (onProgress && typeof XMLHttpRequest !== 'undefined') return this.uploadWithProgress(path, csv, onProgress);
    return this.request('POST', path, { body: csv, contentType: 'text/csv' });
  }

  previewBroadcast(id: string, recipient: { recipientId: string } | { phone: string }): Promise<BroadcastPreview> {
    return this.request('GET', `/broadcasts/${encodeURIComponent(id)}/preview`, { query: recipient });
  }

  validateBroadcast(id: string): Promise<BroadcastValidation> {
    return this.request('POST', `/broadcasts/${encodeURIComponent(id)}/validate`);
  }

  estimateBroadcast(id: string): Promise<BroadcastEstimate> {
    return this.request('GET', `/broadcasts/${encodeURIComponent(id)}/estimate`);
  }

  startBroadcast(id: string, schedule: ScheduleInput = {}): Promise<BroadcastView> {
    return this.request('POST', `/broadcasts/${encodeURIComponent(id)}/start`, { body: schedule });
  }

  controlBroadcast(id: string, action: 'pause' | 'resume' | 'cancel' | 'retry-failed'): Promise<BroadcastView> {
    return this.request('POST', `/broadcasts/${encodeURIComponent(id)}/${action}`);
  }

  /** Failed recipients counted per error code, grouped by the server (no recipient list is fetched). */
  broadcastFailures(id: string): Promise<FailureGroups> {
    return this.request('GET', `/broadcasts/${encodeURIComponent(id)}/failures`);
  }

  listRecipients(id: string, filters: { status?: RecipientStatus; phone?: string } = {}, page: PageQuery = {}): Promise<Page<RecipientView>> {
    return this.request('GET', `/broadcasts/${encodeURIComponent(id)}/recipients`, { query: { ...filters, phone: filters.phone?.trim() || undefined, ...page } });
  }

  /** Every recipient with status and reason, as a CSV file (fetched with the bearer token). */
  async recipientsCsv(id: string): Promise<Blob> {
    return this.download(`/broadcasts/${encodeURIComponent(id)}/recipients.csv`);
  }

  /** The opt-out register, most recent first; `q` is a name or phone number (+6281… or 0812…). */
  listOptOuts(filters: { q?: string; channelAccountId?: string } = {}, page: PageQuery = {}): Promise<Page<OptOutView>> {
    return this.request('GET', '/opt-outs', { query: { q: filters.q?.trim() || undefined, channelAccountId: filters.channelAccountId || undefined, ...page } });
  }

  addOptOut(input: { channelAccountId: string; phone: string; reason?: string } | { contactId: string; reason?: string }): Promise<OptOutView> {
    return this.request('POST', '/opt-outs', { body: input });
  }

  /** Opts the customer back in (admins and marketers). */
  removeOptOut(contactId: string): Promise<void> {
    return this.request('DELETE', `/opt-outs/${encodeURIComponent(contactId)}`);
  }

  /** The whole register as CSV (fetched with the bearer token). */
  async optOutsCsv(filters: { channelAccountId?: string } = {}): Promise<Blob> {
    return this.download(`/opt-outs/export.csv${filters.channelAccountId ? `?channelAccountId=${encodeURIComponent(filters.channelAccountId)}` : ''}`);
  }

  /**
   * The bytes of a stored media file, fetched with the bearer token (the media route reads
   * the Authorization header only); show it through `URL.createObjectURL`.
   */
  async mediaBlob(mediaId: string): Promise<Blob> {
    return this.download(`/media/${encodeURIComponent(mediaId)}`);
  }

  private async download(path: string): Promise<Blob> {
    const token = this.options.getToken();
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
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

  /** Uploads a media header's sample file; the answer's `handle` goes into the draft's header `exampleUrl`. */
  uploadTemplateHeaderSample(channelAccountId: string, file: Blob, filename: string): Promise<{ handle: string }> {
    const form = new FormData();
    form.append('file', file, filename);
    return this.request('POST', `/channels/${encodeURIComponent(channelAccountId)}/templates/header-samples`, { body: form });
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

  private uploadWithProgress<T>(path: string, body: Blob | string, onProgress: (fraction: number) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.baseUrl}/api/v1${path}`);
      const token = this.options.getToken();
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.setRequestHeader('content-type', 'text/csv');
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
      };
      xhr.onerror = () => reject(new ApiError('NETWORK_ERROR', 'The server could not be reached.', 0));
      xhr.onload = () => {
        onProgress(1);
        const response = new Response(xhr.responseText || null, { status: xhr.status, statusText: xhr.statusText });
        if (xhr.status < 200 || xhr.status >= 300) {
          if (xhr.status === 401 && token) this.options.onUnauthenticated?.();
          void ApiError.fromResponse(response).then(reject);
          return;
        }
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError('BAD_RESPONSE', 'The server answered with something that is not JSON.', xhr.status));
        }
      };
      xhr.send(body);
    });
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

  private async request<T>(method: string, path: string, init: { query?: Query; body?: unknown; contentType?: string } = {}): Promise<T> {
    const url = `${this.baseUrl}/api/v1${path}${queryString(init.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    // A form sets its own multipart content type, with the boundary.
    const isForm = typeof FormData !== 'undefined' && init.body instanceof FormData;
    if (init.body !== undefined && !isForm) headers['content-type'] = init.contentType ?? 'application/json';
    let response: Response;
    try {
      const body = init.body === undefined ? undefined : isForm || init.contentType ? (init.body as BodyInit) : JSON.stringify(init.body);
      response = await this.fetchImpl(url, { method, headers, body });
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

import Fastify, { type FastifyInstance } from 'fastify';
import {
  CustomerDirectory,
  type CustomerContent,
  type CustomerSendOptions,
  type InboundMessageRecord,
  type OutboundMessageRecord,
  type SimulatedCustomer,
  type TypingIndicatorRecord,
} from './customer-directory.js';
import { fail, graphError, ok, type Checked } from './graph-error.js';
import { registerGraphRoutes } from './graph-routes.js';
import { buildInboundMessage } from './inbound-message.builder.js';
import { MediaStore, type StoredMedia } from './media-store.js';
import { type UploadedFile, UploadSessionStore } from './upload-sessions.js';
import { newWamid, toWaId } from './meta-ids.js';
import { PairRateLimiter, ThroughputLimiter } from './rate-limits.js';
import { Scheduler } from './scheduler.js';
import { validateSendRequest } from './send-request.validator.js';
import { registerSimulatorRoutes } from './sim-routes.js';
import { resolveSimulatorOptions, type ResolvedSimulatorOptions, type WhatsAppSimulatorOptions } from './simulator-options.js';
import { StateFile, readSnapshot } from './state-file.js';
import { StatusPipeline } from './status-pipeline.js';
import { checkTemplateSend } from './template-rules.js';
import { DEFAULT_TEMPLATES, TemplateStore, type StoredTemplate } from './template-store.js';
import { WebhookDispatcher, type WebhookDelivery } from './webhook-dispatcher.js';
import { accountRestrictionPayload, businessCapabilityPayload, inboundMessagePayload, templateStatusPayload, type BusinessIdentity } from './webhook-payloads.js';

/** The Cloud API's answer to an accepted send. */
export interface SendResponse {
  messaging_product: 'whatsapp';
  contacts: Array<{ input: string; wa_id: string }>;
  messages: Array<{ id: string }>;
}

/** The simulated customers, driven by tests, benchmarks and the customer page. */
export interface SimulatedCustomers {
  /**
   * The customer sends a message to the business: it opens the 24-hour window and goes out as
   * a signed `messages` webhook. A string is a text message. Returns the inbound wamid.
   */
  send(phone: string, content: CustomerContent | string, options?: CustomerSendOptions): string;
  /** Creates (or renames) a customer without sending anything. */
  create(phone: string, name?: string): SimulatedCustomer;
  get(phone: string): SimulatedCustomer | undefined;
  list(): SimulatedCustomer[];
}

/** A running (or ready to run) stand-in for Meta's WhatsApp Cloud API. */
export interface WhatsAppSimulator {
  /** The resolved configuration. */
  readonly config: ResolvedSimulatorOptions;
  /** The Fastify instance; `server.inject()` works before `listen()`. */
  readonly server: FastifyInstance;
  /** Base URL such as `http://127.0.0.1:51234`; use it where a plugin expects `https://graph.facebook.com`. */
  readonly url: string;
  readonly port: number;
  readonly customers: SimulatedCustomers;
  /** Every send the simulator accepted, oldest first (the latest `messageLogLimit`). */
  readonly sent: readonly OutboundMessageRecord[];
  /** Calls `listener` with each send accepted from now on; the returned function stops it. */
  onAccepted(listener: (record: OutboundMessageRecord) => void): () => void;
  /** Sends refused for going too fast, by Meta's code (130429 throughput, 131056 pair rate). */
  readonly throttled: ReadonlyMap<number, number>;
  /** Every webhook and its attempts, oldest first. */
  readonly deliveries: readonly WebhookDelivery[];
  /** Every typing indicator the business sent, oldest first. */
  readonly typingIndicators: readonly TypingIndicatorRecord[];
  /** Whether `phone` sees "typing…" now (for 25 s after an indicator, until the next business message). */
  isTyping(phone: string): boolean;
  listen(): Promise<string>;
  /** Messages the business sent to `phone`, with their statuses. */
  inbox(phone: string): OutboundMessageRecord[];
  /** Messages `phone` sent to the business. */
  conversationFrom(phone: string): InboundMessageRecord[];
  /** The customer reads every delivered message; returns how many became read. */
  readAll(phone: string): number;
  /** Where webhooks go; deliveries queued without a URL are sent once it is set. */
  setWebhookUrl(url: string | undefined): void;
  /** Runs Meta's GET handshake against the webhook URL; true when it echoed the challenge. */
  verifyWebhook(verifyToken: string): Promise<boolean>;
  templates(): StoredTemplate[];
  /**
   * Meta's per-customer marketing limit: marketing templates to `phone` are accepted, then
   * fail with 131049 (as Meta does, in the status webhook), until `false` lifts it.
   */
  limitMarketing(phone: string, limited?: boolean): void;
  /** Meta restricts the business account for a policy violation: every send answers 368 until `false` lifts it. */
  restrictAccount(restricted?: boolean): void;
  /**
   * Meta announces a restriction of the business account (`account_update` with
   * `ACCOUNT_RESTRICTION`): the webhook goes out with each of `types` (default
   * `RESTRICTED_BIZ_INITIATED_MESSAGING`) expiring at `expiresAt` (default in 24 hours). Sends
   * are still accepted; `restrictAccount()` makes them refused too.
   */
  announceRestriction(types?: readonly string[], expiresAt?: Date): void;
  /**
   * Meta moves the portfolio to another messaging tier (`TIER_250`, `TIER_2K`, `TIER_10K`,
   * `TIER_100K`, `TIER_UNLIMITED`): the phone number's API answers it from now on, and the
   * `business_capability_update` webhook goes out.
   */
  setMessagingLimit(tier: string): void;
  /** Meta pauses, disables or reinstates a template: its status changes and the webhook goes out. */
  setTemplateStatus(name: string, language: string, status: 'APPROVED' | 'PAUSED' | 'DISABLED', reason?: string): boolean;
  media(id: string): StoredMedia | undefined;
  /** A file uploaded through the Resumable Upload API, by the handle it was given (a template header's sample). */
  uploadedFile(handle: string): UploadedFile | undefined;
  /** Resolves when no webhook delivery is in progress. */
  whenIdle(): Promise<void>;
  /** Stops timers and deliveries, closes the server. */
  close(): Promise<void>;
}

/** Holds the simulator's state; the HTTP routes call into it. */
export class SimulatorCore {
  readonly business: BusinessIdentity;
  readonly scheduler = new Scheduler();
  readonly directory: CustomerDirectory;
  readonly media: MediaStore;
  /** Resumable uploads: the sample files of template media headers. */
  readonly uploads: UploadSessionStore;
  readonly templates: TemplateStore;
  readonly dispatcher: WebhookDispatcher;
  readonly pipeline: StatusPipeline;
  private readonly throughput: ThroughputLimiter;
  /** Restricted for a policy violation: every send answers 368. */
  restricted = false;
  /** The portfolio's messaging tier, as `GET /{phone-number-id}` answers it. */
  messagingLimit: string;
  /** Sends refused for going too fast, by code. */
  readonly throttled = new Map<number, number>();
  private readonly pairRate: PairRateLimiter | undefined;
  readonly stateFile: StateFile | undefined;
  /** Customers (wa_id) whose marketing templates fail with 131049. */
  readonly marketingLimited = new Set<string>();
  baseUrl = 'http://127.0.0.1';

  constructor(readonly config: ResolvedSimulatorOptions) {
    const { clock } = config;
    this.business = { wabaId: config.wabaId, phoneNumberId: config.phoneNumberId, displayPhoneNumber: config.displayPhoneNumber };
    this.messagingLimit = config.messagingLimit;
    this.directory = new CustomerDirectory(config.messageLogLimit);
    this.media = new MediaStore(clock, config.appSecret);
    this.uploads = new UploadSessionStore(config.appId);
    this.dispatcher = new WebhookDispatcher({
      appSecret: config.appSecret,
      retry: config.webhookRetry,
      concurrency: config.webhookConcurrency,
      scheduler: this.scheduler,
      now: () => clock.now(),
      duplicateProbability: config.duplicateWebhooks,
      random: config.random,
      logLimit: config.deliveryLogLimit,
    });
    this.dispatcher.setUrl(config.webhookUrl);
    this.templates = new TemplateStore(
      clock,
      this.scheduler,
      config.templateReview,
      (event) => this.dispatcher.dispatch('template', templateStatusPayload(this.business, event, clock.now())),
      config.templates ?? DEFAULT_TEMPLATES,
      (handle) => this.uploads.file(handle)?.fileType,
    );
    this.pipeline = new StatusPipeline({
      business: this.business,
      clock,
      delays: config.statusDelaysMs,
      scheduler: this.scheduler,
      dispatcher: this.dispatcher,
      directory: this.directory,
      shuffle: config.shuffleStatuses,
      postsStatuses: config.statusWebhooks,
      random: config.random,
      onReachedCustomer: (record) => this.autoReply(record),
    });
    this.throughput = new ThroughputLimiter(config.throughputPerSecond, clock);
    this.pairRate = config.pairRateLimit === false ? undefined : new PairRateLimiter(config.pairRateLimit, clock);
    if (config.stateFile) {
      const saved = readSnapshot(config.stateFile);
      if (saved) {
        this.directory.restore(saved.customers);
        this.templates.restore(saved.templates);
      }
      this.stateFile = new StateFile(config.stateFile, () => ({ version: 1, customers: this.directory.list(), templates: this.templates.all() }));
    }
  }

  /** `POST /{phone-number-id}/messages`, after authentication. */
  sendFromBusiness(body: unknown): Checked<SendResponse | { success: true }> {
    const checked = validateSendRequest(body);
    if (!checked.ok) return checked;
    const request = checked.value;
    if (request.kind === 'mark-read') {
      if (!this.directory.markReadByBusiness(request.messageId)) return fail(graphError(100, `Invalid message_id: ${request.messageId}.`));
      if (request.typing) this.directory.startTyping(request.messageId, this.config.clock.now());
      return ok({ success: true });
    }

    if (this.restricted) return fail(graphError(368));
    let template: OutboundMessageRecord['template'];
    if (request.type === 'template') {
      const wanted = request.body.template as { name: string; language: { code: string }; components?: unknown };
      const stored = this.templates.find(wanted.name, wanted.language.code);
      if (stored?.status === 'PAUSED') return fail(graphError(132015));
      if (stored?.status === 'DISABLED') return fail(graphError(132016));
      if (!stored || stored.status !== 'APPROVED')
        return fail(graphError(132001, `template name (${wanted.name}) does not exist in ${wanted.language.code}`));
      const rendered = checkTemplateSend(stored, wanted.components);
      if (!rendered.ok) return rendered;
      template = { name: stored.name, language: stored.language, category: stored.category, rendered: rendered.value };
    }
    if (!this.throughput.tryTake()) return this.throttle(130429);
    if (this.pairRate && !this.pairRate.tryTake(request.waId)) return this.throttle(131056);

    const now = this.config.clock.now();
    const record: OutboundMessageRecord = {
      id: newWamid(request.waId, 'outbound'),
      input: request.to,
      waId: request.waId,
      type: request.type,
      request: request.body,
      acceptedAt: now,
      status: 'accepted',
      statuses: [],
      ...(template ? { template } : {}),
      preview: previewOf(request.type, request.body, template?.rendered.body),
    };
    const windowOpen = this.directory.isWindowOpen(request.waId, now);
    this.directory.recordOutbound(record);
    const marketingLimited = template?.category === 'MARKETING' && this.marketingLimited.has(request.waId);
    this.pipeline.start(record, windowOpen, marketingLimited ? { code: 131049, details: 'This message was not delivered to maintain healthy ecosystem engagement.' } : this.missingMedia(request.type, request.body));
    return ok({ messaging_product: 'whatsapp', contacts: [{ input: request.to, wa_id: request.waId }], messages: [{ id: record.id }] });
  }

  private throttle(code: 130429 | 131056): Checked<never> {
    this.throttled.set(code, (this.throttled.get(code) ?? 0) + 1);
    return fail(graphError(code));
  }

  /** A simulated customer writes to the business. */
  customerSend(phone: string, content: CustomerContent | string, options: CustomerSendOptions = {}): string {
    const customer = this.directory.ensure(phone, options.name);
    const normalised: CustomerContent = typeof content === 'string' ? { type: 'text', body: content } : content;
    const now = this.config.clock.now();
    const wamid = newWamid(customer.waId, 'inbound');
    const message = buildInboundMessage(normalised, options, {
      wamid,
      from: customer.waId,
      now,
      media: this.media,
      baseUrl: this.baseUrl,
      businessDisplayNumber: this.config.displayPhoneNumber,
      latestBusinessMessageId: customer.outbound.at(-1)?.id,
    });
    this.directory.recordInbound(customer, {
      id: wamid,
      from: customer.waId,
      type: String(message.type),
      timestamp: options.timestamp ?? now,
      message,
      readByBusiness: false,
    });
    this.dispatcher.dispatch('message', inboundMessagePayload(this.business, customer, message), `customer:${customer.waId}`);
    return wamid;
  }

  private missingMedia(type: string, body: Record<string, unknown>): { code: number; details: string } | undefined {
    const object = body[type] as { id?: unknown } | undefined;
    if (!['image', 'audio', 'document', 'sticker', 'video'].includes(type) || typeof object?.id !== 'string') return undefined;
    if (this.media.get(object.id)) return undefined;
    return { code: 131053, details: `Unable to find media with id ${object.id}.` };
  }

  private autoReply(record: OutboundMessageRecord): void {
    const reply = this.config.autoReply?.(record);
    if (reply === undefined) return;
    this.scheduler.after(this.config.autoReplyDelayMs, () => this.customerSend(record.waId, reply, { replyTo: record.id }));
  }
}

/** One line of what the customer sees, for the customer page and `inbox()`. */
function previewOf(type: string, body: Record<string, unknown>, renderedTemplate: string | undefined): string {
  const object = (body[type] ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'text':
      return String(object.body);
    case 'template':
      return renderedTemplate ?? '';
    case 'interactive': {
      const text = (object.body as { text?: string } | undefined)?.text;
      return text ?? `[${String(object.type)}]`;
    }
    case 'reaction':
      return object.emoji ? `reacted ${String(object.emoji)}` : 'removed a reaction';
    case 'location':
      return `[location] ${String(object.name ?? `${String(object.latitude)}, ${String(object.longitude)}`)}`;
    case 'contacts':
      return `[contacts] ${(body.contacts as Array<{ name: { formatted_name: string } }>).map((contact) => contact.name.formatted_name).join(', ')}`;
    default:
      return `[${type}]${object.caption ? ` ${String(object.caption)}` : ''}`;
  }
}

/**
 * Builds a simulator without listening; call `listen()` (or use `server.inject()`).
 * @example
 * const sim = createWhatsAppSimulator({ webhookUrl: 'http://127.0.0.1:3000/webhooks/whatsapp/1' });
 * await sim.listen();
 */
export function createWhatsAppSimulator(options: WhatsAppSimulatorOptions = {}): WhatsAppSimulator {
  const config = resolveSimulatorOptions(options);
  const core = new SimulatorCore(config);
  const server = Fastify({ logger: false, bodyLimit: 110 * 1024 * 1024, forceCloseConnections: true });
  registerGraphRoutes(server, core);
  registerSimulatorRoutes(server, core);
  let port = config.port;
  let listening = false;

  return {
    config,
    server,
    get url() {
      return core.baseUrl;
    },
    get port() {
      return port;
    },
    customers: {
      send: (phone, content, sendOptions) => core.customerSend(phone, content, sendOptions),
      create: (phone, name) => core.directory.ensure(phone, name),
      get: (phone) => core.directory.get(phone),
      list: () => core.directory.list(),
    },
    get sent() {
      return core.directory.sent;
    },
    onAccepted: (listener) => core.directory.onAccepted(listener),
    get throttled() {
      return core.throttled;
    },
    get deliveries() {
      return core.dispatcher.deliveries;
    },
    get typingIndicators() {
      return core.directory.typingIndicators;
    },
    isTyping: (phone) => core.directory.isTyping(phone, config.clock.now()),
    async listen() {
      const address = await server.listen({ port: config.port, host: config.host });
      listening = true;
      port = Number(new URL(address).port);
      // Listening on every interface, this machine reaches it on loopback.
      const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
      core.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      core.stateFile?.start();
      return core.baseUrl;
    },
    inbox: (phone) => [...(core.directory.get(phone)?.outbound ?? [])],
    conversationFrom: (phone) => [...(core.directory.get(phone)?.inbound ?? [])],
    readAll: (phone) => core.pipeline.readAll(toWaId(phone)),
    setWebhookUrl: (url) => core.dispatcher.setUrl(url),
    async verifyWebhook(verifyToken) {
      const target = core.dispatcher.webhookUrl;
      if (!target) return false;
      const challenge = String(Math.floor(Math.random() * 1e10));
      const url = new URL(target);
      url.searchParams.set('hub.mode', 'subscribe');
      url.searchParams.set('hub.challenge', challenge);
      url.searchParams.set('hub.verify_token', verifyToken);
      const response = await fetch(url).catch(() => undefined);
      return response?.status === 200 && (await response.text()) === challenge;
    },
    templates: () => core.templates.all(),
    restrictAccount: (restricted = true) => void (core.restricted = restricted),
    announceRestriction: (types = ['RESTRICTED_BIZ_INITIATED_MESSAGING'], expiresAt) => {
      const now = core.config.clock.now();
      core.dispatcher.dispatch('account', accountRestrictionPayload(core.business, types, expiresAt ?? new Date(now.getTime() + 24 * 60 * 60 * 1_000), now));
    },
    setMessagingLimit: (tier) => {
      core.messagingLimit = tier;
      core.dispatcher.dispatch('account', businessCapabilityPayload(core.business, tier, core.config.clock.now()));
    },
    limitMarketing: (phone, limited = true) => void (limited ? core.marketingLimited.add(toWaId(phone)) : core.marketingLimited.delete(toWaId(phone))),
    setTemplateStatus: (name, language, status, reason) => core.templates.setStatus(name, language, status, reason ?? null),
    media: (id) => core.media.get(id),
    uploadedFile: (handle) => core.uploads.file(handle),
    whenIdle: () => core.dispatcher.whenIdle(),
    async close() {
      core.scheduler.close();
      core.dispatcher.close();
      core.stateFile?.close();
      if (listening) await server.close();
    },
  };
}

/** Creates a simulator and starts listening (port 0 picks a free port). */
export async function startWhatsAppSimulator(options: WhatsAppSimulatorOptions = {}): Promise<WhatsAppSimulator> {
  const simulator = createWhatsAppSimulator(options);
  await simulator.listen();
  return simulator;
}

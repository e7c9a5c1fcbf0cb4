import type { TemplateSeed } from './template-store.js';
import type { CustomerContent, OutboundMessageRecord } from './customer-directory.js';

/** The source of "now"; structurally the same as `Clock` in `@obrol/contracts`. */
export interface SimulatorClock {
  now(): Date;
}

/** Delays, in milliseconds, of the status webhooks that follow an accepted send. */
export interface StatusDelays {
  /** From acceptance to `sent`. */
  sent: number;
  /** From `sent` to `delivered`. */
  delivered: number;
  /** From `delivered` to `read`; leave undefined for a customer who does not read until `readAll()`. */
  read?: number;
}

/** How a submitted template is reviewed. */
export interface TemplateReview {
  mode: 'approve' | 'reject';
  delayMs: number;
  /** The `reason` of the REJECTED webhook, e.g. `INVALID_FORMAT`, `PROMOTIONAL`, `ABUSIVE_CONTENT`. */
  reason: string;
}

/** Retry policy of webhook deliveries: immediate retry, then `baseDelayMs * 2^n`, capped. */
export interface WebhookRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Meta's per-recipient pair rate limit: 1 message every `intervalMs`, with a burst of `burst`. */
export interface PairRateLimit {
  intervalMs: number;
  burst: number;
}

/** What a simulated customer answers when a business message reaches them. */
export type AutoReply = (message: OutboundMessageRecord) => CustomerContent | string | undefined;

/** Options of {@link createWhatsAppSimulator}; every field has a default. */
export interface WhatsAppSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  phoneNumberId?: string;
  wabaId?: string;
  /** Digits without `+`, as in webhook metadata. */
  displayPhoneNumber?: string;
  verifiedName?: string;
  /** The only accepted Bearer token. */
  accessToken?: string;
  /** Key of the `X-Hub-Signature-256` HMAC. */
  appSecret?: string;
  /** The Meta app's id: the Resumable Upload API (`POST /{app-id}/uploads`) answers only for it. */
  appId?: string;
  /** Where webhooks are POSTed; deliveries wait until it is set. */
  webhookUrl?: string;
  /** The version used in absolute URLs the simulator returns (`paging.next`); any `vNN.0` is accepted. */
  apiVersion?: string;
  clock?: SimulatorClock;
  /** Outbound messages per second per business number; past it, 130429. Default 80. */
  throughputPerSecond?: number;
  /**
   * The number's messaging limit as `GET /{phone-number-id}` reports it (`TIER_250`, `TIER_2K`,
   * `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`). Default `TIER_UNLIMITED`, so tests and the demo
   * are not held to a new number's 250 a day; the simulator reports it and does not enforce it.
   */
  messagingLimit?: string;
  /** Default 1 per 6 s with a burst of 45; `false` disables it. */
  pairRateLimit?: Partial<PairRateLimit> | false;
  statusDelaysMs?: Partial<StatusDelays>;
  templateReview?: Partial<TemplateReview>;
  webhookRetry?: Partial<WebhookRetry>;
  /**
   * Webhook POSTs awaiting an answer at once; the rest queue. Meta delivers concurrently but
   * publishes no number; a pooled sender keeps tens of connections, not one per webhook.
   * Default 64.
   */
  webhookConcurrency?: number;
  /** Deliver each webhook a second time (true, or a probability between 0 and 1). */
  duplicateWebhooks?: boolean | number;
  /** Deliver the statuses of each message in a shuffled order once the last one is known. */
  shuffleStatuses?: boolean;
  /**
   * `false`: business messages still move through their statuses (the customer's page and
   * `inbox()` show them), but no status webhook goes out, nor waits for a URL. For a load that
   * sends without wanting the receipts. Default true.
   */
  statusWebhooks?: boolean;
  autoReply?: AutoReply;
  /** Delay before an auto reply is sent. Default 500 ms. */
  autoReplyDelayMs?: number;
  /** Templates present at start; default: `hello_world`, `order_update`, `appointment_reminder`. */
  templates?: TemplateSeed[];
  /** HTTP status per Graph error code; default 400, and 401 for 190. */
  errorHttpStatus?: Record<number, number>;
  /** Source of randomness for duplicates and shuffling. */
  random?: () => number;
  /** Completed deliveries kept in `handle.deliveries` (about: up to a tenth more). Default 10 000. */
  deliveryLogLimit?: number;
  /**
   * Business messages kept for inspection (`sent`, `inbox()`, the customer's page), about: past
   * it, the oldest are forgotten in batches of a tenth. Their statuses still go out. Default:
   * every one. `onAccepted` counts sends without keeping them.
   */
  messageLogLimit?: number;
  /**
   * A JSON file that keeps customers, their messages and the templates across restarts: read
   * at start (replacing `templates`), written within a second of a change and at close.
   */
  stateFile?: string;
}

export interface ResolvedSimulatorOptions {
  port: number;
  host: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  accessToken: string;
  appSecret: string;
  appId: string;
  webhookUrl: string | undefined;
  apiVersion: string;
  clock: SimulatorClock;
  throughputPerSecond: number;
  messagingLimit: string;
  pairRateLimit: PairRateLimit | false;
  statusDelaysMs: StatusDelays;
  templateReview: TemplateReview;
  webhookRetry: WebhookRetry;
  webhookConcurrency: number;
  duplicateWebhooks: number;
  shuffleStatuses: boolean;
  statusWebhooks: boolean;
  autoReply: AutoReply | undefined;
  autoReplyDelayMs: number;
  templates: TemplateSeed[] | undefined;
  errorHttpStatus: Record<number, number>;
  random: () => number;
  deliveryLogLimit: number;
  messageLogLimit: number;
  stateFile: string | undefined;
}

export const SIMULATOR_DEFAULTS = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  displayPhoneNumber: '15550783881',
  verifiedName: 'Obrol Demo',
  accessToken: 'obrol-wa-sim-token',
  appSecret: 'obrol-wa-sim-secret',
  appId: '1200443895214451',
  apiVersion: 'v25.0',
} as const;

export function resolveSimulatorOptions(options: WhatsAppSimulatorOptions = {}): ResolvedSimulatorOptions {
  const duplicate = options.duplicateWebhooks;
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    phoneNumberId: options.phoneNumberId ?? SIMULATOR_DEFAULTS.phoneNumberId,
    wabaId: options.wabaId ?? SIMULATOR_DEFAULTS.wabaId,
    displayPhoneNumber: (options.displayPhoneNumber ?? SIMULATOR_DEFAULTS.displayPhoneNumber).replace(/\D/g, ''),
    verifiedName: options.verifiedName ?? SIMULATOR_DEFAULTS.verifiedName,
    accessToken: options.accessToken ?? SIMULATOR_DEFAULTS.accessToken,
    appSecret: options.appSecret ?? SIMULATOR_DEFAULTS.appSecret,
    appId: options.appId ?? SIMULATOR_DEFAULTS.appId,
    webhookUrl: options.webhookUrl,
    apiVersion: options.apiVersion ?? SIMULATOR_DEFAULTS.apiVersion,
    clock: options.clock ?? { now: () => new Date() },
    throughputPerSecond: options.throughputPerSecond ?? 80,
    messagingLimit: options.messagingLimit ?? 'TIER_UNLIMITED',
    pairRateLimit: options.pairRateLimit === false ? false : { intervalMs: 6_000, burst: 45, ...options.pairRateLimit },
    statusDelaysMs: { sent: 100, delivered: 400, read: 1_500, ...options.statusDelaysMs },
    templateReview: { mode: 'approve', delayMs: 1_000, reason: 'INVALID_FORMAT', ...options.templateReview },
    webhookRetry: { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, ...options.webhookRetry },
    webhookConcurrency: Math.max(1, Math.floor(options.webhookConcurrency ?? 64)),
    duplicateWebhooks: duplicate === true ? 1 : duplicate === false || duplicate === undefined ? 0 : duplicate,
    shuffleStatuses: options.shuffleStatuses ?? false,
    statusWebhooks: options.statusWebhooks ?? true,
    autoReply: options.autoReply,
    autoReplyDelayMs: options.autoReplyDelayMs ?? 500,
    templates: options.templates,
    errorHttpStatus: { 190: 401, ...options.errorHttpStatus },
    random: options.random ?? Math.random,
    deliveryLogLimit: options.deliveryLogLimit ?? 10_000,
    messageLogLimit: Math.max(1, options.messageLogLimit ?? Number.POSITIVE_INFINITY),
    stateFile: options.stateFile,
  };
}

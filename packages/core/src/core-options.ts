import type { Clock } from '@obrol/contracts';
import type { EventBus } from './bus/event-bus.js';
import type { DatabaseOptions } from './database/orm-config.js';
import type { OutboundWebhookSettings } from './outbound-webhooks/outbound-webhook.options.js';
import type { PluginRef } from './plugin/obrol-plugin.decorator.js';

/** Which parts of Obrol a process runs. */
export type ProcessRole = 'all' | 'api' | 'worker';

/** Everything the core needs, parsed from configuration by the server (the only reader of env). */
export interface CoreOptions {
  role: ProcessRole;
  database: DatabaseOptions;
  /** Apply pending migrations at boot. */
  migrate: boolean;
  bus: EventBus;
  plugins: PluginRef[];
  /** Encrypts secrets at rest. */
  secretKey: string;
  /** Where media and other files go. */
  dataDir: string;
  /** The public base URL, for webhook URLs shown to admins. */
  publicUrl: string;
  clock?: Clock;
  /** First admin, created on first start when there is none. */
  admin?: { email: string; password?: string };
  /** Called once with a generated admin password (print it once). */
  onAdminCreated?: (admin: { email: string; password: string; generated: boolean }) => void;
  sessionTtlMs?: number;
  /** Login attempts allowed per minute per client address (default 10). */
  loginRateLimitPerMinute?: number;
  /** Failed logins allowed per account in 15 minutes, from any address (default 10). */
  loginFailuresPerAccount?: number;
  templateSyncIntervalMs?: number;
  /** How long a send left in doubt by a crash waits for the provider's evidence before it is sent again (default 10 min). */
  sendInDoubtGraceMs?: number;
  /** Conversations whose window closes within this time count as "closing". */
  windowClosingSoonMs?: number;
  /** Outbound webhooks to back-end systems: SSRF policy, timeout, concurrency, retry schedule. */
  outboundWebhooks?: OutboundWebhookSettings;
  /**
   * Keywords a customer writes to opt out of broadcasts and back in (defaults: STOP, UNSUBSCRIBE,
   * BERHENTI, STOP PROMO; START), and the replies that confirm it (English defaults; '' sends none).
   */
  optOut?: { stopKeywords?: string[]; startKeywords?: string[]; optOutReply?: string; optInReply?: string };
  /** scrypt cost; lower only in tests. */
  passwordHashCost?: { N: number; r: number; p: number };
}

export const CORE_OPTIONS = Symbol.for('obrol.CoreOptions');

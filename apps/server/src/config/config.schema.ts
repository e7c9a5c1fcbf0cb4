import { isIP } from 'node:net';
import { passwordWeakness } from '@obrol/core';
import type { BroadcastOptions } from '@obrol/plugin-broadcasts';
import { z } from 'zod';

/**
 * Every setting of Obrol, read from `OBROL_*` environment variables once at boot. This module is
 * the only reader of `process.env`. A wrong value stops the boot with a sentence naming the variable.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** An IP address or a CIDR block (`10.0.0.0/8`, `fd00::/8`). */
const ipOrCidr = (value: string) => {
  const [ip, bits, ...rest] = value.split('/');
  const family = isIP(ip ?? '');
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
};

export const configSchema = z.object({
  OBROL_PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port'),
  OBROL_HOST: z.string().min(1).default('0.0.0.0').describe('interface to listen on'),
  OBROL_DATA_DIR: z.string().min(1).default('./data').describe('SQLite file, media, generated secret key'),
  OBROL_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// URL (leave unset for SQLite in the data dir)')
    .optional()
    .describe('unset: SQLite in the data dir; postgres://…: PostgreSQL'),
  OBROL_NATS_URL: z
    .string()
    .regex(/^(nats|tls|wss?):\/\/.+/, 'must be a nats:// URL (leave unset for the in-process bus)')
    .optional()
    .describe('unset: in-process bus; nats://…: NATS with JetStream'),
  OBROL_NATS_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1–32 characters of a-z, 0-9, _ or -')
    .optional()
    .describe('prefix for subjects and streams when several deployments share one NATS'),
  OBROL_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional().describe('encrypts secrets at rest; generated into the data dir if unset'),
  OBROL_ADMIN_EMAIL: z.email('must be an email address').optional().describe('first admin, created on first start'),
  OBROL_ADMIN_PASSWORD: z
    .string()
    .superRefine((password, ctx) => {
      // Checked once at boot: the estimator is not kept for a next check.
      const problem = passwordWeakness(password, [], { once: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional().describe('first admin password; generated and printed once if unset'),
  OBROL_PUBLIC_URL: z.url('must be a URL such as https://chat.example.com').optional().describe('base URL for webhook URLs shown to admins'),
  OBROL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('log level'),
  OBROL_DEMO: bool.default(true).describe('with no channel configured, connect a demo WhatsApp number on the embedded simulator'),
  OBROL_SEND_IN_DOUBT_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .default(600)
    .describe('how long a send whose outcome a crash left unknown waits for the provider to confirm it before it is sent again'),
  OBROL_DEMO_SIMULATOR_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe("port of the demo's WhatsApp simulator (its customer page), on OBROL_HOST's interface; unset: a free port"),
  OBROL_TRUSTED_PROXIES: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every(ipOrCidr), 'must be a comma-separated list of IP addresses or CIDR blocks, e.g. 10.0.0.0/8,127.0.0.1')
    .optional()
    .describe('proxies whose X-Forwarded-For is believed for the client address (rate limits); none by default'),
  OBROL_ALLOW_INSECURE_GRAPH: bool
    .default(false)
    .describe('let a WhatsApp channel reach a plain-http Graph API origin on another host (tests); https, or http on loopback, otherwise'),
  OBROL_OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: bool
    .default(false)
    .describe('let outbound webhook endpoints point at loopback and private networks (tests, demos, a receiver on the same host); refused by default against SSRF'),
  OBROL_OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(60, 'must be at most 60')
    .default(10)
    .describe('how long one outbound webhook delivery waits for the receiver to answer'),
  OBROL_OUTBOUND_WEBHOOKS_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(8)
    .describe('outbound webhook deliveries in flight at once, per worker process'),
  OBROL_BROADCAST_MAX_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(80)
    .describe("the highest pace a broadcast may use, messages per second per number (Meta: 80, up to 1,000 once the number qualifies)"),
  OBROL_BROADCAST_DEFAULT_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(80).describe('pace of a broadcast that sets none (capped by OBROL_BROADCAST_MAX_PER_SECOND)'),
  OBROL_BROADCAST_DAILY_LIMIT: z
    .enum(['reported', '250', '2000', '10000', '100000', 'unlimited'])
    .default('reported')
    .describe("the numbers' daily limit of business-initiated messages (their messaging tier): `reported` takes each number's tier from its channel's account check"),
  OBROL_BROADCAST_MARKETING_BLOCKED_COUNTRIES: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
    .refine((list) => list.every((c) => /^[A-Z]{2}$/.test(c)), 'must be comma-separated ISO 3166 alpha-2 codes, e.g. US,CA')
    .default(['US'])
    .describe('regions marketing templates are not sent to (skipped with the reason); Meta stopped US delivery in April 2025'),
  OBROL_BROADCAST_MARKETING_LIMIT_RETRIES: z.coerce.number().int().min(0).max(10).default(2).describe("retries, a day apart, of a send refused by Meta's per-customer marketing limit (131049)"),
  OBROL_BROADCAST_FAILURE_RATE: z.coerce.number().min(0.01).max(1).default(0.5).describe('pause a broadcast when this share of its last 100 sends failed'),
  OBROL_BROADCAST_PRICES: z
    .string()
    .transform((v, ctx) => {
      try {
        return z.record(z.string().regex(/^([A-Z]{2}|\*)$/), z.object({ MARKETING: z.number().min(0), UTILITY: z.number().min(0), AUTHENTICATION: z.number().min(0) }).partial()).parse(JSON.parse(v));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON like {"ID":{"MARKETING":0.0411,"UTILITY":0.02},"*":{"MARKETING":0.05}}' });
        return z.NEVER;
      }
    })
    .optional()
    .describe('price per message by region (or * for the rest) and template category, for estimates'),
  OBROL_BROADCAST_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD').default('USD').describe('currency of OBROL_BROADCAST_PRICES'),
  OBROL_STOP_KEYWORDS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .optional()
    .describe('comma-separated messages that opt a customer out of broadcasts (default STOP,UNSUBSCRIBE,BERHENTI,STOP PROMO)'),
  OBROL_START_KEYWORDS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .optional()
    .describe('comma-separated messages that opt a customer back in (default START)'),
  OBROL_OPT_OUT_REPLY: z.string().max(4096).optional().describe('text sent once to a customer who opts out by keyword or button (empty: send nothing; default: an English confirmation)'),
  OBROL_OPT_IN_REPLY: z.string().max(4096).optional().describe('text sent once to a customer who opts back in (empty: send nothing; default: an English confirmation)'),
  OBROL_HEAP_GROWTH_PERCENT: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 (Node\'s own) or more')
    .max(300, 'must be at most 300')
    .default(50)
    .describe("how far the heap may grow past its live data before a full garbage collection, in percent; 0 leaves it to Node (a busy process then lets garbage build up to several times its live heap)"),
  OBROL_MIGRATE: bool.optional().describe('apply database migrations at boot (default: yes for start, no for api/worker; use `obrol migrate`)'),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface ObrolConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  natsUrl?: string;
  natsNamespace?: string;
  secretKey?: string;
  adminEmail?: string;
  adminPassword?: string;
  publicUrl: string;
  logLevel: RawConfig['OBROL_LOG_LEVEL'];
  demo: boolean;
  demoSimulatorPort?: number;
  migrate?: boolean;
  /** `OBROL_HEAP_GROWTH_PERCENT`: 0 leaves V8's own heap growth (`heap-growth.ts`). */
  heapGrowthPercent: number;
  sendInDoubtGraceMs: number;
  trustedProxies: string[];
  allowInsecureGraph: boolean;
  outboundWebhooks: { allowPrivateAddresses: boolean; requestTimeoutMs: number; concurrency: number };
  broadcasts: Partial<BroadcastOptions>;
  optOut: { stopKeywords?: string[]; startKeywords?: string[]; optOutReply?: string; optInReply?: string };
}

/** Parses the environment; throws an Error whose message lists every wrong variable and why. */
export function parseConfig(env: Record<string, string | undefined>): ObrolConfig {
  const relevant = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('OBROL_') && v !== ''));
  const result = configSchema.safeParse(relevant);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new Error(`Obrol cannot start, the configuration is wrong:\n${lines.join('\n')}`);
  }
  // Other tools share the prefix: the test suites, the benchmark and the simulator's CLI.
  const unknown = Object.keys(relevant).filter((k) => !(k in configSchema.shape) && !/^OBROL_(TEST|BENCH|WA_SIM)_/.test(k));
  if (unknown.length) throw new Error(`Obrol cannot start: unknown setting(s) ${unknown.join(', ')}. Known: ${Object.keys(configSchema.shape).join(', ')}.`);
  const c = result.data;
  return {
    port: c.OBROL_PORT,
    host: c.OBROL_HOST,
    dataDir: c.OBROL_DATA_DIR,
    databaseUrl: c.OBROL_DATABASE_URL,
    natsUrl: c.OBROL_NATS_URL,
    natsNamespace: c.OBROL_NATS_NAMESPACE,
    secretKey: c.OBROL_SECRET_KEY,
    adminEmail: c.OBROL_ADMIN_EMAIL,
    adminPassword: c.OBROL_ADMIN_PASSWORD,
    publicUrl: c.OBROL_PUBLIC_URL ?? `http://localhost:${c.OBROL_PORT}`,
    logLevel: c.OBROL_LOG_LEVEL,
    demo: c.OBROL_DEMO,
    demoSimulatorPort: c.OBROL_DEMO_SIMULATOR_PORT,
    migrate: c.OBROL_MIGRATE,
    heapGrowthPercent: c.OBROL_HEAP_GROWTH_PERCENT,
    sendInDoubtGraceMs: c.OBROL_SEND_IN_DOUBT_GRACE_SECONDS * 1000,
    trustedProxies: c.OBROL_TRUSTED_PROXIES ?? [],
    allowInsecureGraph: c.OBROL_ALLOW_INSECURE_GRAPH,
    outboundWebhooks: {
      allowPrivateAddresses: c.OBROL_OUTBOUND_WEBHOOKS_ALLOW_PRIVATE,
      requestTimeoutMs: c.OBROL_OUTBOUND_WEBHOOKS_TIMEOUT_SECONDS * 1000,
      concurrency: c.OBROL_OUTBOUND_WEBHOOKS_CONCURRENCY,
    },
    broadcasts: {
      maxMessagesPerSecond: c.OBROL_BROADCAST_MAX_PER_SECOND,
      defaultMessagesPerSecond: Math.min(c.OBROL_BROADCAST_DEFAULT_PER_SECOND, c.OBROL_BROADCAST_MAX_PER_SECOND),
      dailyLimit: c.OBROL_BROADCAST_DAILY_LIMIT === 'reported' ? null : c.OBROL_BROADCAST_DAILY_LIMIT === 'unlimited' ? Number.POSITIVE_INFINITY : Number(c.OBROL_BROADCAST_DAILY_LIMIT),
      marketingBlockedCountries: c.OBROL_BROADCAST_MARKETING_BLOCKED_COUNTRIES,
      marketingLimitRetries: c.OBROL_BROADCAST_MARKETING_LIMIT_RETRIES,
      failureRateThreshold: c.OBROL_BROADCAST_FAILURE_RATE,
      prices: c.OBROL_BROADCAST_PRICES ?? {},
      currency: c.OBROL_BROADCAST_CURRENCY,
    },
    optOut: { stopKeywords: c.OBROL_STOP_KEYWORDS, startKeywords: c.OBROL_START_KEYWORDS, optOutReply: c.OBROL_OPT_OUT_REPLY?.trim(), optInReply: c.OBROL_OPT_IN_REPLY?.trim() },
  };
}

/** The names of every setting (docs and the compose-file test use it). */
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof RawConfig)[];

import {
  type ChannelContext,
  type ChannelEvent,
  type ChannelIdentity,
  type ChannelPlugin,
  type Clock,
  type MessageContent,
  type Result,
  type TemplateDefinition,
  type TemplateDraft,
  type TemplateParameters,
  type WebhookRequest,
  err,
  ok,
  systemClock,
} from '@obrol/contracts';

/** A real payload the provider sends, and what the plugin must make of it. */
export interface WebhookFixture {
  /** What the payload is, for failure messages: "text message", "delivered status". */
  name: string;
  /** The raw body exactly as the provider sends it (a captured payload); objects are JSON-encoded. */
  body: string | Buffer | object;
  /** The events `parseWebhook` must return, in order, with timestamps as `Date`s. */
  events: ChannelEvent[];
}

/** A stand-in provider the send checks talk to, started fresh for each check. */
export interface SendTarget<Config> {
  /** A complete (parsed) account configuration pointing at the stand-in. */
  config: Config;
  /** A recipient who may receive a session text message now (e.g. a simulated customer who wrote). */
  to: ChannelIdentity;
  /** Stops the stand-in. */
  close?(): Promise<void> | void;
}

/** The GET verification handshake, for channels that have one. */
export interface HandshakeFixture<Config> {
  /** The request the provider sends with the right verify token. */
  request(config: Config): WebhookRequest;
  /** The value the plugin must answer with, as the reply body. */
  challenge: string;
  /** The same request with a wrong verify token. */
  wrongToken(config: Config): WebhookRequest;
}

/** What the template checks feed to `plugin.templates`. */
export interface TemplateFixtures {
  /** A draft the linter must accept (`lint` returns `[]`). */
  validDraft: TemplateDraft;
  /** A draft with a mistake the provider would reject it for. */
  invalidDraft: TemplateDraft;
  /** An approved template with at least one variable. */
  template: TemplateDefinition;
  /** Complete values for `template`'s variables; text values must show up in `render`. */
  parameters: TemplateParameters;
  /** Values with one missing; default: `parameters` without its last body value. */
  incompleteParameters?: TemplateParameters;
}

/**
 * What a plugin author supplies to `describeChannelContract`. Only `config`, `signedRequest`
 * and `webhooks` are required; each optional part switches on the checks that need it.
 */
export interface ChannelContractFixtures<Config> {
  /** A valid account configuration, as an admin would POST it (defaults may be left out). */
  config: Partial<Config>;
  /** Configurations the schema must refuse, each with the field its error must name (`a.b` for nested). */
  invalidConfigs?: { config: Record<string, unknown>; field: string }[];
  /** Builds the POST request the provider would send for these raw bytes, correctly signed. */
  signedRequest(body: Buffer | string, config: Config): WebhookRequest;
  /**
   * Where the signature travels, when the suite cannot tell by itself (it signs two bodies and
   * looks for the one header, or query parameter, that changes).
   */
  signature?: { in: 'headers' | 'query'; name: string };
  /** Real inbound payloads with the events they must produce: at least one inbound message. */
  webhooks: WebhookFixture[];
  /** A payload whose messages the channel cannot normalise: each must become `unsupported`. */
  unsupportedContent?: { name: string; body: string | Buffer | object };
  /** A correctly signed body that is not valid for the channel's format; default: truncated JSON. */
  malformedBody?: string | Buffer;
  handshake?: HandshakeFixture<Config>;
  /** The length of the channel's reply window, to test its edges (WhatsApp: 24 hours). */
  windowMs?: number;
  /** Starts whatever stands in for the provider; switches on the send checks. */
  sendTarget?: () => Promise<SendTarget<Config>>;
  /** The text message the send check sends; default: a short greeting. */
  sendText?: MessageContent;
  templates?: TemplateFixtures;
  /** The clock put in the channel context; default: the system clock. */
  clock?: Clock;
}

/** Ids the suite puts in every context it builds. */
export const CONTRACT_ACCOUNT = { channelAccountId: 'contract-account', tenantId: 'contract' } as const;

/** The parsed fixture config in a channel context, or why there is none. */
export function contractContext<C>(plugin: ChannelPlugin<C>, fixtures: ChannelContractFixtures<C>): Result<ChannelContext<C>, string> {
  const parsed = plugin.configSchema.safeParse(fixtures.config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return err(`fixtures.config does not pass the plugin's configSchema (${issues}), so this check cannot run`);
  }
  return ok({ ...CONTRACT_ACCOUNT, config: parsed.data, clock: fixtures.clock ?? systemClock });
}

/** The raw bytes of a fixture body. */
export function bytesOf(body: string | Buffer | object): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/** A one-line description of a thrown value. */
export function describeThrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

import { z } from 'zod';

/**
 * Stable error codes. They appear in API error bodies (`{ statusCode, code, message }`), in
 * failed message statuses and in typed channel errors. Never rename one: clients switch on them.
 */
export const ERROR_CODES = {
  // client mistakes
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  BROADCAST_STATE_INVALID: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WINDOW_CLOSED: 422,
  CONTENT_NOT_SUPPORTED: 422,
  TEMPLATE_NOT_FOUND: 422,
  TEMPLATE_NOT_APPROVED: 422,
  TEMPLATE_PARAMS_INVALID: 422,
  TEMPLATE_LINT_FAILED: 422,
  CHANNEL_CONFIG_INVALID: 422,
  CHANNEL_AUTH_FAILED: 422,
  /**
   * The provider restricted the sending account (policy, spam, payment): what it forbids fails
   * until an admin acts or the restriction ends. The API refuses such a send before storing it,
   * with the number's restriction as `details` (`businessInitiated`, `customerInitiated`, `until`).
   */
  CHANNEL_RESTRICTED: 422,
  RECIPIENT_INVALID: 422,
  MEDIA_NOT_FOUND: 422,
  PASSWORD_TOO_WEAK: 422,
  AUDIENCE_INVALID: 422,
  TAG_INVALID: 400,
  RATE_LIMITED: 429,
  SEARCH_QUERY_INVALID: 400,
  // webhooks
  WEBHOOK_SIGNATURE_INVALID: 401,
  WEBHOOK_VERIFY_FAILED: 403,
  WEBHOOK_PAYLOAD_INVALID: 400,
  // outbound webhooks
  WEBHOOK_URL_NOT_ALLOWED: 422,
  // provider-side failures (mostly asynchronous, recorded on messages)
  THROUGHPUT_EXCEEDED: 429,
  PAIR_RATE_LIMITED: 429,
  RECIPIENT_UNDELIVERABLE: 422,
  MARKETING_LIMIT_REACHED: 422,
  /** Not sent: the customer opted out after the broadcast's audience was planned. */
  RECIPIENT_OPTED_OUT: 422,
  MEDIA_FAILED: 422,
  CHANNEL_UNAVAILABLE: 503,
  CHANNEL_ERROR: 502,
  // server side
  NOT_READY: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** The HTTP status the API answers with for a code. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** The body of every API error. */
export const apiErrorSchema = z.object({
  statusCode: z.number().int(),
  code: errorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** A failure of a channel operation (send, template sync…), as a value. */
export const channelErrorSchema = z.object({
  code: errorCodeSchema,
  /** A sentence an agent understands. */
  message: z.string(),
  /** Whether trying the same operation later may succeed. */
  retryable: z.boolean(),
  /** Wait at least this long before retrying, when the provider says so. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** The provider's own code and text, kept for support staff. */
  providerCode: z.union([z.string(), z.number()]).optional(),
  providerMessage: z.string().optional(),
  details: z.unknown().optional(),
});
export type ChannelError = z.infer<typeof channelErrorSchema>;

/** A domain error raised by the core or a plugin and mapped to HTTP by one exception filter. */
export class ObrolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ObrolError';
  }

  get statusCode(): number {
    return httpStatusOf(this.code);
  }
}

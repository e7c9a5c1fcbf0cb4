import type { ChannelError, ErrorCode } from '@obrol/contracts';
import { asNumber, asRecord, asString } from './json-payload.reader.js';

/**
 * Meta's error object, in either shape: the synchronous Graph envelope's `error`
 * (`{message, type, code, error_subcode, error_data, fbtrace_id}`) or an asynchronous webhook
 * error (`{code, title, message, error_data, href}`).
 */
export interface MetaError {
  code?: number;
  title?: string;
  message?: string;
  type?: string;
  error_subcode?: number;
  error_data?: { details?: string; messaging_product?: string };
  fbtrace_id?: string;
  href?: string;
}

interface ErrorRule {
  code: ErrorCode;
  retryable: boolean;
  message: string;
  retryAfterMs?: number;
}

const AUTH_FAILED: ErrorRule = {
  code: 'CHANNEL_AUTH_FAILED',
  retryable: false,
  message: 'WhatsApp refused the access token or its permissions; an admin must update the channel settings.',
};
const UNAVAILABLE: ErrorRule = {
  code: 'CHANNEL_UNAVAILABLE',
  retryable: true,
  message: 'WhatsApp is temporarily unavailable; the message will be retried.',
};
const TEMPLATE_REJECTED_DRAFT: ErrorRule = {
  code: 'TEMPLATE_LINT_FAILED',
  retryable: false,
  message: 'WhatsApp refused the template draft; fix its format and submit it again.',
};

/** Meta error codes (MD/support/error-codes) → Obrol's typed errors. */
const RULES: Record<number, ErrorRule> = {
  131047: { code: 'WINDOW_CLOSED', retryable: false, message: 'The 24-hour window has closed; send an approved template instead.' },
  130429: {
    code: 'THROUGHPUT_EXCEEDED',
    retryable: true,
    retryAfterMs: 1_000,
    message: "This number reached WhatsApp's sending rate; the message will be retried shortly.",
  },
  131056: {
    code: 'PAIR_RATE_LIMITED',
    retryable: true,
    retryAfterMs: 6_000,
    message: 'Too many messages were sent to this customer in a short time; the message will be retried after a pause.',
  },
  131048: {
    code: 'CHANNEL_RESTRICTED',
    retryable: false,
    message: 'WhatsApp limits this number because too many of its messages were blocked or reported as spam; check the number quality in WhatsApp Manager.',
  },
  4: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 60_000, message: "The app reached Meta's API call limit; try again later." },
  80007: {
    code: 'RATE_LIMITED',
    retryable: true,
    retryAfterMs: 60_000,
    message: "The WhatsApp Business Account reached Meta's API call limit; try again later.",
  },
  131026: {
    code: 'RECIPIENT_UNDELIVERABLE',
    retryable: false,
    message:
      'WhatsApp could not deliver this message: the number may not use WhatsApp, or the customer has not accepted the latest terms or uses an old app version.',
  },
  130497: {
    code: 'RECIPIENT_UNDELIVERABLE',
    retryable: false,
    message: "This business cannot message customers in the recipient's country.",
  },
  131049: {
    code: 'MARKETING_LIMIT_REACHED',
    retryable: false,
    message:
      'WhatsApp did not deliver this marketing message to keep the customer from receiving too many; wait at least 24 hours before trying again.',
  },
  131050: {
    code: 'MARKETING_LIMIT_REACHED',
    retryable: false,
    message: 'The customer has stopped marketing messages from this business.',
  },
  130472: {
    code: 'MARKETING_LIMIT_REACHED',
    retryable: false,
    message: "The customer is part of Meta's marketing experiment holdout group; the marketing message was not sent.",
  },
  132000: {
    code: 'TEMPLATE_PARAMS_INVALID',
    retryable: false,
    message: 'The number of template parameters does not match the approved template.',
  },
  132012: {
    code: 'TEMPLATE_PARAMS_INVALID',
    retryable: false,
    message: 'A template parameter is formatted differently from the approved template (check text, media and button values).',
  },
  132005: { code: 'TEMPLATE_PARAMS_INVALID', retryable: false, message: 'The template text is too long once the parameters are filled in.' },
  132007: { code: 'TEMPLATE_PARAMS_INVALID', retryable: false, message: "The template content breaks WhatsApp's character policy." },
  132001: {
    code: 'TEMPLATE_NOT_FOUND',
    retryable: false,
    message: 'The template does not exist in this language or is not approved yet; sync templates and choose another.',
  },
  132015: {
    code: 'TEMPLATE_NOT_APPROVED',
    retryable: false,
    message: 'The template is paused because of low quality and cannot be sent now.',
  },
  132016: {
    code: 'TEMPLATE_NOT_APPROVED',
    retryable: false,
    message: 'The template was paused too many times and is now permanently disabled; create a new template.',
  },
  190: {
    code: 'CHANNEL_AUTH_FAILED',
    retryable: false,
    message: 'The WhatsApp access token is invalid or has expired; an admin must paste a new token in the channel settings.',
  },
  0: AUTH_FAILED,
  3: AUTH_FAILED,
  10: AUTH_FAILED,
  131005: AUTH_FAILED,
  133010: {
    code: 'CHANNEL_CONFIG_INVALID',
    retryable: false,
    message: 'This phone number is not registered on the WhatsApp Business Platform; an admin must register it.',
  },
  368: {
    code: 'CHANNEL_RESTRICTED',
    retryable: false,
    message: 'The WhatsApp Business Account is restricted for a policy violation; an admin must check WhatsApp Manager.',
  },
  131031: {
    code: 'CHANNEL_RESTRICTED',
    retryable: false,
    message: 'The WhatsApp Business Account is locked; an admin must check WhatsApp Manager.',
  },
  131042: {
    code: 'CHANNEL_RESTRICTED',
    retryable: false,
    message: "There is a payment problem on the WhatsApp Business Account; an admin must check the account's payment method.",
  },
  131021: { code: 'RECIPIENT_INVALID', retryable: false, message: 'The recipient is this business number itself.' },
  131030: {
    code: 'RECIPIENT_INVALID',
    retryable: false,
    message: "The recipient is not in this test number's allowed list; add it in Meta's API Setup.",
  },
  131051: { code: 'CONTENT_NOT_SUPPORTED', retryable: false, message: 'WhatsApp does not support this message type.' },
  131052: {
    code: 'MEDIA_FAILED',
    retryable: false,
    message: 'WhatsApp could not download the media (it may be too large or no longer available).',
  },
  131053: {
    code: 'MEDIA_FAILED',
    retryable: false,
    message: 'WhatsApp could not process the media; check its type and size.',
  },
  1: UNAVAILABLE,
  2: UNAVAILABLE,
  131000: UNAVAILABLE,
  131016: UNAVAILABLE,
  131057: { ...UNAVAILABLE, retryAfterMs: 60_000, message: 'This WhatsApp number is in maintenance mode; the message will be retried.' },
};

const INVALID_PARAMETER_CODES = new Set([100, 131008, 131009]);
const RECIPIENT_WORDS = /\b(to|recipient|phone number|wa_id)\b/i;

function ruleFor(error: MetaError, httpStatus: number | undefined): ErrorRule {
  const code = error.code;
  if (code !== undefined && RULES[code]) return RULES[code];
  if (code !== undefined && code >= 200 && code <= 299) return AUTH_FAILED;
  if (code === 100 && error.error_subcode !== undefined && error.error_subcode >= 2388000 && error.error_subcode < 2389000) {
    return TEMPLATE_REJECTED_DRAFT;
  }
  if (code !== undefined && INVALID_PARAMETER_CODES.has(code)) {
    const text = `${error.message ?? ''} ${error.error_data?.details ?? ''}`;
    if (RECIPIENT_WORDS.test(text)) {
      return { code: 'RECIPIENT_INVALID', retryable: false, message: "WhatsApp refused the recipient's number; check it." };
    }
    return { code: 'CHANNEL_ERROR', retryable: false, message: 'WhatsApp refused the request as invalid.' };
  }
  if (httpStatus !== undefined && httpStatus >= 500) return UNAVAILABLE;
  return { code: 'CHANNEL_ERROR', retryable: false, message: 'WhatsApp refused the request.' };
}

function joinDistinct(...parts: (string | undefined)[]): string {
  return [...new Set(parts.filter((part): part is string => !!part))].join(' — ');
}

/** Reads either Meta error shape from untrusted JSON. */
export function readMetaError(value: unknown): MetaError | undefined {
  const e = asRecord(value);
  if (!e) return undefined;
  const data = asRecord(e['error_data']);
  return {
    code: asNumber(e['code']),
    title: asString(e['title']),
    message: asString(e['message']),
    type: asString(e['type']),
    error_subcode: asNumber(e['error_subcode']),
    error_data: data ? { details: asString(data['details']), messaging_product: asString(data['messaging_product']) } : undefined,
    fbtrace_id: asString(e['fbtrace_id']),
    href: asString(e['href']),
  };
}

/**
 * Maps a Meta error (sync envelope `error`, or an async `errors[]` item) to a typed
 * ChannelError with `retryable`, a sentence for agents and Meta's own code and text.
 */
export function mapMetaError(error: MetaError, options: { httpStatus?: number; retryAfterMs?: number } = {}): ChannelError {
  const rule = ruleFor(error, options.httpStatus);
  const providerText = error.message ?? error.title;
  const providerDetails = error.error_data?.details;
  const details = {
    ...(options.httpStatus !== undefined ? { httpStatus: options.httpStatus } : {}),
    ...(error.type ? { type: error.type } : {}),
    ...(error.error_subcode !== undefined ? { subcode: error.error_subcode } : {}),
    ...(error.fbtrace_id ? { fbtraceId: error.fbtrace_id } : {}),
  };
  const retryAfterMs = options.retryAfterMs ?? rule.retryAfterMs;
  return {
    code: rule.code,
    message: rule.message,
    retryable: rule.retryable,
    ...(retryAfterMs !== undefined && rule.retryable ? { retryAfterMs } : {}),
    ...(error.code !== undefined ? { providerCode: error.code } : {}),
    ...(providerText || providerDetails ? { providerMessage: joinDistinct(providerText, providerDetails) } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/**
 * Maps a failed Graph HTTP response to a ChannelError: the `{error:{…}}` envelope when there
 * is one, otherwise the HTTP status (5xx and 429 retryable).
 */
export function mapGraphResponseError(httpStatus: number, body: unknown, retryAfterMs?: number): ChannelError {
  const envelope = readMetaError(asRecord(body)?.['error']);
  if (envelope) return mapMetaError(envelope, { httpStatus, retryAfterMs });
  if (httpStatus === 429) {
    return {
      code: 'RATE_LIMITED',
      message: 'WhatsApp asked to slow down; the request will be retried.',
      retryable: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      details: { httpStatus },
    };
  }
  if (httpStatus === 401 || httpStatus === 403) return { ...AUTH_FAILED, details: { httpStatus } };
  if (httpStatus >= 500) return { ...UNAVAILABLE, details: { httpStatus } };
  return { code: 'CHANNEL_ERROR', message: `WhatsApp answered with HTTP ${httpStatus}.`, retryable: false, details: { httpStatus } };
}

/** A network failure (DNS, refused connection, reset, timeout): always worth retrying. */
export function networkError(cause: unknown): ChannelError {
  return {
    code: 'CHANNEL_UNAVAILABLE',
    message: 'WhatsApp could not be reached; the message will be retried.',
    retryable: true,
    providerMessage: cause instanceof Error ? cause.message : String(cause),
  };
}

import { randomBytes } from 'node:crypto';

/** A synchronous Graph API error, as Meta returns it in the `error` envelope. */
export interface GraphError {
  code: number;
  /** `(#code) Title` or Meta's own sentence for OAuth errors. */
  message: string;
  details: string;
  type?: string;
  subcode?: number;
}

/** The body Meta answers with when a Graph call fails. */
export interface GraphErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: number;
    error_data: { messaging_product: 'whatsapp'; details: string };
    error_subcode?: number;
    fbtrace_id: string;
  };
}

/** The asynchronous error object carried by `statuses[].errors[]` and `messages[].errors[]`. */
export interface WebhookErrorObject {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

const ERROR_CODES_HREF = '/documentation/business-messaging/whatsapp/support/error-codes';

/** Titles and details as WHATSAPP.md §3.2 quotes them. */
const CATALOG: Record<number, { title: string; details: string }> = {
  100: { title: 'Invalid parameter', details: 'The request included one or more unsupported or misspelled parameters.' },
  190: { title: 'Access token has expired', details: 'Your access token has expired.' },
  368: {
    title: 'Temporarily blocked for policies violations',
    details: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.',
  },
  130429: { title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' },
  131047: {
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131051: { title: 'Message type unknown', details: 'Message type is currently not supported.' },
  131053: { title: 'Media upload error', details: 'Unable to upload the media used in the message.' },
  131056: {
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.',
  },
  132000: {
    title: 'Number of parameters does not match the expected number of params',
    details:
      'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.',
  },
  132001: {
    title: 'Template name does not exist in the translation',
    details: 'The template does not exist in the specified language or the template has not been approved.',
  },
  132012: { title: 'Parameter format does not match format in the created template', details: 'Variable parameter values formatted incorrectly.' },
  132015: { title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: {
    title: 'Template is Disabled',
    details: 'Template has been paused too many times due to low quality and is now permanently disabled.',
  },
};

/** Builds a catalogued error; `details` overrides Meta's generic sentence when we know more. */
export function graphError(code: number, details?: string, subcode?: number): GraphError {
  const entry = CATALOG[code] ?? { title: 'Unknown error', details: 'An unknown error occurred.' };
  return { code, message: `(#${code}) ${entry.title}`, details: details ?? entry.details, subcode };
}

/** Meta's answer to a missing or wrong Bearer token. */
export function invalidTokenError(): GraphError {
  return {
    code: 190,
    message: 'Invalid OAuth access token - Cannot parse access token',
    details: 'Your access token has expired.',
    type: 'OAuthException',
  };
}

/** Graph's answer to `?fields=` naming a field the node does not have. */
export function nonexistingFieldError(field: string, nodeType: string): GraphError {
  return { code: 100, message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`, details: 'The request included one or more unsupported or misspelled parameters.' };
}

/** Meta's answer to `GET /{id}` for an object that does not exist. */
export function unknownObjectError(id: string): GraphError {
  return {
    code: 100,
    message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    details: 'The request included one or more unsupported or misspelled parameters.',
    type: 'GraphMethodException',
    subcode: 33,
  };
}

export function toEnvelope(error: GraphError): GraphErrorEnvelope {
  return {
    error: {
      message: error.message,
      type: error.type ?? 'OAuthException',
      code: error.code,
      error_data: { messaging_product: 'whatsapp', details: error.details },
      ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
      fbtrace_id: randomBytes(17).toString('base64url').slice(0, 23),
    },
  };
}

export function webhookError(code: number, details?: string): WebhookErrorObject {
  const entry = CATALOG[code] ?? { title: 'Unknown error', details: 'An unknown error occurred.' };
  return { code, title: entry.title, message: entry.title, error_data: { details: details ?? entry.details }, href: ERROR_CODES_HREF };
}

/** A value-or-error result, so expected failures are values rather than exceptions. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: GraphError };

export const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
export const fail = <T = never>(error: GraphError): Checked<T> => ({ ok: false, error });

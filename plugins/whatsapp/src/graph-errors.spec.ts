import { describe, expect, it } from 'vitest';
import { mapGraphResponseError, mapMetaError, networkError } from './graph-errors.js';

const envelope = (code: number, details = 'details', extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) Title`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'trace', ...extra },
});

describe('mapMetaError: Meta codes → typed errors', () => {
  it.each([
    [131047, 'WINDOW_CLOSED', false],
    [130429, 'THROUGHPUT_EXCEEDED', true],
    [131056, 'PAIR_RATE_LIMITED', true],
    [131026, 'RECIPIENT_UNDELIVERABLE', false],
    [131049, 'MARKETING_LIMIT_REACHED', false],
    [131050, 'MARKETING_LIMIT_REACHED', false],
    [132000, 'TEMPLATE_PARAMS_INVALID', false],
    [132012, 'TEMPLATE_PARAMS_INVALID', false],
    [132001, 'TEMPLATE_NOT_FOUND', false],
    [132015, 'TEMPLATE_NOT_APPROVED', false],
    [132016, 'TEMPLATE_NOT_APPROVED', false],
    [190, 'CHANNEL_AUTH_FAILED', false],
    [0, 'CHANNEL_AUTH_FAILED', false],
    [3, 'CHANNEL_AUTH_FAILED', false],
    [10, 'CHANNEL_AUTH_FAILED', false],
    [200, 'CHANNEL_AUTH_FAILED', false],
    [299, 'CHANNEL_AUTH_FAILED', false],
    [131000, 'CHANNEL_UNAVAILABLE', true],
    [1, 'CHANNEL_UNAVAILABLE', true],
    [2, 'CHANNEL_UNAVAILABLE', true],
    [131016, 'CHANNEL_UNAVAILABLE', true],
    [131052, 'MEDIA_FAILED', false],
    [131053, 'MEDIA_FAILED', false],
    [131051, 'CONTENT_NOT_SUPPORTED', false],
    [4, 'RATE_LIMITED', true],
    [368, 'CHANNEL_RESTRICTED', false],
    [131031, 'CHANNEL_RESTRICTED', false],
    [131042, 'CHANNEL_RESTRICTED', false],
    [131048, 'CHANNEL_RESTRICTED', false],
    [999999, 'CHANNEL_ERROR', false],
  ])('%i → %s (retryable %s)', (code, expected, retryable) => {
    const mapped = mapMetaError({ code, message: 'm' });
    expect(mapped.code).toBe(expected);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.providerCode).toBe(code);
  });

  it('tells the agent what to do when the window has closed', () => {
    expect(mapMetaError({ code: 131047 }).message).toBe('The 24-hour window has closed; send an approved template instead.');
  });

  it('gives backoff hints for the rate limits', () => {
    expect(mapMetaError({ code: 131056 }).retryAfterMs).toBe(6_000);
    expect(mapMetaError({ code: 130429 }).retryAfterMs).toBe(1_000);
    expect(mapMetaError({ code: 131047 }).retryAfterMs).toBeUndefined();
  });

  it('maps invalid-parameter codes to RECIPIENT_INVALID only when the recipient is named', () => {
    expect(mapMetaError({ code: 131009, message: 'Parameter value is not valid', error_data: { details: 'Invalid parameter "to"' } }).code).toBe('RECIPIENT_INVALID');
    expect(mapMetaError({ code: 100, message: 'Invalid parameter', error_data: { details: 'Unexpected key "foo"' } }).code).toBe('CHANNEL_ERROR');
    expect(mapMetaError({ code: 131008, message: 'Required parameter is missing', error_data: { details: 'recipient phone number is required' } }).code).toBe('RECIPIENT_INVALID');
  });

  it('maps template-management subcodes of code 100 to TEMPLATE_LINT_FAILED', () => {
    expect(mapMetaError({ code: 100, error_subcode: 2388299, message: 'Leading or trailing parameters not allowed' }).code).toBe('TEMPLATE_LINT_FAILED');
  });

  it('keeps the async webhook shape (title, message, details)', () => {
    const mapped = mapMetaError({
      code: 131049,
      title: 'This message was not delivered to maintain healthy ecosystem engagement.',
      message: 'This message was not delivered to maintain healthy ecosystem engagement.',
      error_data: { details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.' },
    });
    expect(mapped).toMatchObject({
      code: 'MARKETING_LIMIT_REACHED',
      retryable: false,
      providerCode: 131049,
      providerMessage:
        'This message was not delivered to maintain healthy ecosystem engagement. — In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    });
  });
});

describe('mapGraphResponseError: the sync envelope and bare HTTP errors', () => {
  it('reads the Graph envelope and keeps trace details', () => {
    expect(mapGraphResponseError(400, envelope(132001, 'template name does not exist in the translation', { error_subcode: 2494073 }))).toEqual({
      code: 'TEMPLATE_NOT_FOUND',
      message: 'The template does not exist in this language or is not approved yet; sync templates and choose another.',
      retryable: false,
      providerCode: 132001,
      providerMessage: '(#132001) Title — template name does not exist in the translation',
      details: { httpStatus: 400, type: 'OAuthException', subcode: 2494073, fbtraceId: 'trace' },
    });
  });
  it('prefers Retry-After over the default backoff', () => {
    expect(mapGraphResponseError(429, envelope(130429), 30_000)).toMatchObject({ code: 'THROUGHPUT_EXCEEDED', retryable: true, retryAfterMs: 30_000 });
  });
  it('treats an unknown code over HTTP 5xx as unavailable and retryable', () => {
    expect(mapGraphResponseError(503, envelope(424242))).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true });
    expect(mapGraphResponseError(400, envelope(424242))).toMatchObject({ code: 'CHANNEL_ERROR', retryable: false });
  });
  it('handles bodies without an envelope', () => {
    expect(mapGraphResponseError(502, '<html>Bad gateway</html>')).toMatchObject({ code: 'CHANNEL_UNAVAILABLE', retryable: true });
    expect(mapGraphResponseError(429, undefined, 5_000)).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 5_000 });
    expect(mapGraphResponseError(401, undefined)).toMatchObject({ code: 'CHANNEL_AUTH_FAILED', retryable: false });
    expect(mapGraphResponseError(404, undefined)).toMatchObject({ code: 'CHANNEL_ERROR', retryable: false });
  });
  it('turns network failures into retryable CHANNEL_UNAVAILABLE', () => {
    expect(networkError(new TypeError('fetch failed'))).toEqual({
      code: 'CHANNEL_UNAVAILABLE',
      message: 'WhatsApp could not be reached; the message will be retried.',
      retryable: true,
      providerMessage: 'fetch failed',
    });
  });
});

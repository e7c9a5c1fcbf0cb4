import type { ErrorCode } from '@obrol/contracts';

/** Codes the client adds for failures that never reached the API's error body. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE';

/**
 * A failed API call. `code` is the API's stable error code (`WINDOW_CLOSED`,
 * `UNAUTHENTICATED`…), or `NETWORK_ERROR` / `BAD_RESPONSE` when no error body arrived.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly statusCode: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Turns a non-2xx response into an ApiError, trusting the body's `code` when it has one. */
  static async fromResponse(response: Response): Promise<ApiError> {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (body && typeof body === 'object' && typeof (body as { code?: unknown }).code === 'string') {
      const { code, message, details } = body as { code: ErrorCode; message?: unknown; details?: unknown };
      return new ApiError(code, typeof message === 'string' ? message : response.statusText, response.status, details);
    }
    return new ApiError(fallbackCode(response.status), `${response.status} ${response.statusText}`.trim(), response.status);
  }
}

function fallbackCode(status: number): ErrorCode | ClientErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'NOT_READY';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_RESPONSE';
}

export function isApiError(error: unknown, code?: ApiError['code']): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** Any failure as an ApiError, for composables that expose `error`. */
export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError('BAD_RESPONSE', error instanceof Error ? error.message : String(error), 0);
}

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ConnectionException, ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type ApiError, type ErrorCode, ObrolError, httpStatusOf } from '@obrol/contracts';

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'NOT_READY',
};

/** Fastify's own errors (body parsing happens before Nest sees the request). */
const FASTIFY_CODES: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_JSON', 'The body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_JSON', 'The body is empty but Content-Type says JSON.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'The body is larger than this endpoint accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here; send application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['VALIDATION_FAILED', 'Content-Length does not match the body.'],
  // The router's own errors (through `frameworkErrors`): Nest never sees these requests.
  FST_ERR_BAD_URL: ['VALIDATION_FAILED', 'The URL is not valid: a path segment has a malformed %-encoding.'],
  FST_ERR_MAX_PARAM_LENGTH: ['VALIDATION_FAILED', 'A path segment of the URL is too long to be an id.'],
};

/** Turns any error into the one API error body. Unexpected errors are logged, never shown. */
export function toApiError(error: unknown, logger?: Logger): ApiError {
  if (error instanceof ObrolError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
  }
  // Fastify's JSON parser throws a SyntaxError with statusCode 400 before Nest sees the request.
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return { statusCode: 400, code: 'MALFORMED_JSON', message: `The body is not valid JSON: ${error.message}` };
  }
  // Nest wraps Fastify's parser errors in an HttpException whose cause carries Fastify's code.
  const fastifyCode = (error as { code?: string } | null)?.code ?? ((error as { cause?: { code?: string } } | null)?.cause?.code);
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const [code, message] = FASTIFY_CODES[fastifyCode];
    return { statusCode: httpStatusOf(code), code, message };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
    if (status >= 500) logger?.error(error);
    const response = error.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message =
      status === 404 && code === 'ROUTE_NOT_FOUND'
        ? 'No such route. The API lives under /api/v1; see /api/docs.'
        : status === 429
          ? 'Too many requests; wait a minute and try again.'
          : Array.isArray(raw)
            ? raw.join('; ')
            : String(raw ?? error.message);
    return { statusCode: status, code, message };
  }
  // Two requests created the same thing at once (e.g. an agent's email): the loser is told so.
  if (error instanceof UniqueConstraintViolationException) {
    return { statusCode: 409, code: 'CONFLICT', message: 'This already exists: another request created it at the same moment.' };
  }
  if (error instanceof ForeignKeyConstraintViolationException) {
    return { statusCode: 409, code: 'CONFLICT', message: 'A record this refers to was removed at the same moment; reload and retry.' };
  }
  if (isDatabaseUnavailable(error)) {
    logger?.warn(`database unavailable: ${(error as Error).message}`);
    return { statusCode: 503, code: 'NOT_READY', message: 'The database is unavailable right now; retry shortly.' };
  }
  const status = (error as { statusCode?: number } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, code: HTTP_CODES[status] ?? 'VALIDATION_FAILED', message: (error as Error).message };
  }
  logger?.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return { statusCode: 500, code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged.' };
}

/** A lost or refused database connection: the client (or provider) should retry, not give up. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const message = error instanceof Error ? error.message : '';
  return /ECONNREFUSED|Unable to acquire a connection|Connection terminated|database connection is not open|The database connection is not open/i.test(message);
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const reply = host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void }; sent?: boolean }>();
    const body = toApiError(exception, this.logger);
    reply.status(body.statusCode).send(body);
  }
}

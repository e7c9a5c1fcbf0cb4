import { Injectable, Logger } from '@nestjs/common';
import { ObrolError, type WebhookRequest } from '@obrol/contracts';
import type { FastifyInstance } from 'fastify';
import { ChannelsService } from '../channels/channels.service.js';
import { toApiError } from '../http/api-exception.filter.js';
import { safeText, withSafeText } from '../http/safe-text.js';
import { withinEventLimits } from './channel-event.limits.js';
import { InboundQueue } from './inbound.queue.js';

/** What a provider's webhook request carries, as Fastify (or Nest on top of it) hands it over. */
export interface RawWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody?: Buffer;
}

export function toWebhookRequest(method: 'GET' | 'POST', req: RawWebhookRequest): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return { method, headers, query: req.query ?? {}, rawBody: req.rawBody ?? Buffer.alloc(0) };
}

/**
 * A provider's webhook delivery (`POST /webhooks/<pluginId>/<channelAccountId>`): the plugin
 * checks the signature over the raw bytes before anything is parsed; the events are stored
 * before the 200 (a storage failure answers 5xx and the provider retries) and processed right
 * after.
 */
@Injectable()
export class WebhookReceiver {
  private readonly logger = new Logger('WebhookReceiver');

  constructor(
    private readonly channels: ChannelsService,
    private readonly inbound: InboundQueue,
  ) {}

  async receive(pluginId: string, accountId: string, req: RawWebhookRequest): Promise<{ status: 'ok'; events: number }> {
    const resolved = await this.channels.resolve(accountId, pluginId);
    const parsed = resolved.plugin.parseWebhook(toWebhookRequest('POST', req), resolved.context);
    if (!parsed.ok) throw new ObrolError(parsed.error.code, parsed.error.message);
    await this.channels.touchWebhook(resolved.account.id);
    // Provider text (a customer's message, a profile name) may hold what no database stores.
    // …and may be longer than any database column: refused or cut here, the same on every database.
    await this.inbound.enqueue({ resolved, events: withinEventLimits(withSafeText(parsed.value.events), this.logger) });
    return { status: 'ok', events: parsed.value.events.length };
  }
}

/**
 * Serves the deliveries as a plain Fastify route, beside Nest's router (ADR 0036): a status
 * flood brings thousands a second, and Nest's guards, pipes, interceptors and response
 * handling around each cost more than its parsing. What those did for this public route is
 * done here: the route params made storable text, and every error answered in the API's one
 * error shape (`toApiError`, as `ApiExceptionFilter`). Security headers, body limits and the
 * raw body come from Fastify's own hooks and parser, shared with every route.
 */
export function registerWebhookRoute(fastify: FastifyInstance, receiver: WebhookReceiver): void {
  const logger = new Logger('WebhookRoute');
  fastify.post<{ Params: { pluginId: string; accountId: string } }>(
    '/webhooks/:pluginId/:accountId',
    {
      // The handler's errors and Fastify's own before it (a body that is not JSON, or too large).
      errorHandler: (error, _request, reply) => {
        const body = toApiError(error, logger);
        void reply.code(body.statusCode).send(body);
      },
    },
    (request) => receiver.receive(safeText(request.params.pluginId), safeText(request.params.accountId), request as RawWebhookRequest),
  );
}

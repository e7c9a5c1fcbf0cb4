import { Controller, Get, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ObrolError, type WebhookRequest } from '@obrol/contracts';
import { Public } from '../auth/auth.guard.js';
import { ChannelsService } from '../channels/channels.service.js';
import { withSafeText } from '../http/safe-text.js';
import { withinEventLimits } from './channel-event.limits.js';
import { InboundQueue } from './inbound.queue.js';

interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody?: Buffer;
}
interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

function toWebhookRequest(method: 'GET' | 'POST', req: RawRequest): WebhookRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return { method, headers, query: req.query ?? {}, rawBody: req.rawBody ?? Buffer.alloc(0) };
}

/**
 * Provider webhooks: `GET|POST /webhooks/<pluginId>/<channelAccountId>`. The plugin checks the
 * signature over the raw bytes before anything is parsed; the events are stored before the 200
 * (a storage failure answers 5xx and the provider retries) and processed right after.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks')
export class WebhooksController {
  private readonly logger = new Logger('WebhooksController');

  constructor(
    private readonly channels: ChannelsService,
    private readonly inbound: InboundQueue,
  ) {}

  @Get(':pluginId/:accountId')
  async verify(@Param('pluginId') pluginId: string, @Param('accountId') accountId: string, @Req() req: RawRequest, @Res() reply: Reply) {
    const { plugin, context } = await this.channels.resolve(accountId, pluginId);
    if (!plugin.verifyWebhook) throw new ObrolError('METHOD_NOT_ALLOWED', `The ${plugin.displayName} channel has no verification handshake.`);
    const result = plugin.verifyWebhook(toWebhookRequest('GET', req), context);
    if (!result.ok) throw new ObrolError(result.error.code, result.error.message);
    reply.status(result.value.status).header('content-type', result.value.contentType ?? 'text/plain').send(result.value.body);
  }

  @Post(':pluginId/:accountId')
  @HttpCode(200)
  async receive(@Param('pluginId') pluginId: string, @Param('accountId') accountId: string, @Req() req: RawRequest) {
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

import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ObrolError } from '@obrol/contracts';
import { Public } from '../auth/auth.guard.js';
import { ChannelsService } from '../channels/channels.service.js';
import { type RawWebhookRequest, toWebhookRequest } from './webhook.receiver.js';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): void;
}

/**
 * A provider's verification handshake: `GET /webhooks/<pluginId>/<channelAccountId>`. Its
 * deliveries (`POST` on the same path) are a plain Fastify route (`registerWebhookRoute`).
 */
@ApiExcludeController()
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly channels: ChannelsService) {}

  @Get(':pluginId/:accountId')
  async verify(@Param('pluginId') pluginId: string, @Param('accountId') accountId: string, @Req() req: RawWebhookRequest, @Res() reply: Reply) {
    const { plugin, context } = await this.channels.resolve(accountId, pluginId);
    if (!plugin.verifyWebhook) throw new ObrolError('METHOD_NOT_ALLOWED', `The ${plugin.displayName} channel has no verification handshake.`);
    const result = plugin.verifyWebhook(toWebhookRequest('GET', req), context);
    if (!result.ok) throw new ObrolError(result.error.code, result.error.message);
    reply.status(result.value.status).header('content-type', result.value.contentType ?? 'text/plain').send(result.value.body);
  }
}

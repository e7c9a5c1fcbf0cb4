import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { OutboundWebhooksController } from './outbound-webhooks.controller.js';
import { OutboundWebhooksService } from './outbound-webhooks.service.js';
import { WebhookDeliverySender } from './webhook-delivery.sender.js';
import { WebhookEndpointCache } from './webhook-endpoint.cache.js';
import { WebhookFactConsumer } from './webhook-fact.consumer.js';

/** Outbound webhooks: every fact, signed and delivered with retries to the endpoints subscribed to it. */
@Module({
  imports: [AuditModule],
  controllers: [OutboundWebhooksController],
  providers: [OutboundWebhooksService, WebhookDeliverySender, WebhookEndpointCache, WebhookFactConsumer],
})
export class OutboundWebhooksModule {}
